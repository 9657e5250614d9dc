"""Scoped labels on the paid tiers: one label per scope, the newly added one wins."""

# Behaviour sources:
# - docs.gitlab.com/user/project/labels/#scoped-labels (Premium, Ultimate): "An issue ...
#   cannot have two scoped labels with the same key"; adding one removes the other label
#   of that scope.  On Free, `a::b` is an ordinary label and both stay
#   (gitlab-org/gitlab-foss#61533).
# - ee/app/services/ee/issuable_base_service.rb (gitlabhq), filter_mutually_exclusive_labels:
#   only when labels are added and `feature_available?(:scoped_labels)`; labels are grouped
#   by ScopedLabelSet (key: the title up to the last "::"); a set with more than one label
#   that contains an added label keeps only `last_id_by_order(label_ids_ordered_by_selection)`
#   where that order is add_label_ids + label_ids.  It applies to `labels`, `add_labels`
#   (PUT/POST issues) alike; remove_labels is applied before.
# - gitlab-org/gitlab-ee!9983 "Add mutually exclusive key-value labels".

from __future__ import annotations

from chatops_emulator.gitlab_model import Label

TIERS = ("free", "premium")


def scope_key(name: str) -> str | None:
    """The scope of a scoped label (`a::b::c` -> `a::b`), None for a plain label."""
    key, sep, value = name.rpartition("::")
    return key if sep and key and value else None


def exclusive(labels: list[Label], added: list[Label], order: list[Label]) -> list[Label]:
    """The labels that remain once each scope with an added label keeps one label."""
    if not added:
        return labels

    def rank(label: Label) -> int:
        hits = [i for i, lb in enumerate(order) if lb is label]
        return hits[-1] if hits else -1

    keep: list[Label] = []
    for label in labels:
        key = scope_key(label.name)
        same = [lb for lb in labels if key is not None and scope_key(lb.name) == key]
        contested = len(same) > 1 and any(lb in added for lb in same)
        if not contested or label is max(same, key=rank):
            keep.append(label)
    return keep

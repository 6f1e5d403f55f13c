"""The parts of the :class:`~invitekit.InviteKit` facade, one per group of use cases.

The facade is one class for its users; its methods are written in three parts
(customers and groups, invitations and delivery, accounts and links) so that
each reads on its own.  Every method documents the use case and delegates to
its flow in :mod:`invitekit.flows` with the kit's :class:`~invitekit.flows.Context`.
"""

from __future__ import annotations

from invitekit.flows.context import Context

__all__ = ["FacadePart"]


class FacadePart:
    """A part of :class:`~invitekit.InviteKit`: it reaches the flows through ``_ctx``."""

    @property
    def _ctx(self) -> Context:
        raise NotImplementedError  # InviteKit provides it

"""The use cases of invitekit, one module per flow: plain functions over a :class:`Context`.

:class:`~invitekit.InviteKit` is the public entry point; each of its methods
delegates to one function here.  A flow opens the Store's transactions, reads
the Clock, calls the pure core (:mod:`invitekit.transitions`,
:mod:`invitekit.audience`, :mod:`invitekit.accounts`, :mod:`invitekit.throttle`,
:mod:`invitekit.compose`, :mod:`invitekit.tokens`) for every decision, and
writes the result.  No flow looks an adapter up: everything comes in the
context.

* :mod:`~invitekit.flows.customers`: customers and groups.
* :mod:`~invitekit.flows.templates`: invitation texts, previews, test invitations.
* :mod:`~invitekit.flows.campaigns`: planning and queueing invitations.
* :mod:`~invitekit.flows.delivery`: draining the outbox through the mailer,
  composing each email from its queued intent.
* :mod:`~invitekit.flows.worker`: delivering for every business in a store.
* :mod:`~invitekit.flows.links`: redeeming signed links.
* :mod:`~invitekit.flows.activation`: accepting an invitation, unsubscribing.
* :mod:`~invitekit.flows.login`: logging in, throttled.
* :mod:`~invitekit.flows.password_reset`: "forgot password".
* :mod:`~invitekit.flows.signup`: self sign-up and email verification.
* :mod:`~invitekit.flows.account_mail`: queueing and composing the account emails.
"""

from __future__ import annotations

from invitekit.flows.context import Context

__all__ = ["Context"]

"""Usage examples that the type checker checks (``mypy --strict`` runs on this file).

Nothing here runs in the test suite: it states, for the type checker, how the
public API is meant to be called and what it returns, so an accidental change
of a signature or a return type fails ``python3 dev.py check``.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time, timedelta
from typing import Any

from invitekit import (
    ActivationCheck,
    Audience,
    Booking,
    BookingLinkCheck,
    BounceKind,
    BounceOutcome,
    BounceProcessor,
    BounceReport,
    BounceRule,
    BounceSettings,
    Business,
    Campaign,
    CampaignNotFound,
    CampaignReport,
    CancellationPolicy,
    CircuitBreaker,
    Customer,
    Decision,
    DeliveryReport,
    Email,
    EmailAddressTaken,
    Event,
    EventKind,
    EventNote,
    FunnelCounts,
    Identity,
    IdentityNotFound,
    InvitationPlan,
    InvitationReport,
    InvitationTemplate,
    InviteKit,
    LastWayIn,
    OutboxMessage,
    OutboxSettings,
    Pacing,
    PasswordHasher,
    PasswordRules,
    ProviderEmailNotVerified,
    ProviderSignInRefused,
    PurgeReport,
    Purpose,
    ReauthenticationRequired,
    ReminderDue,
    Reminders,
    Retention,
    SchemaOutdated,
    SkipReason,
    Status,
    TokenError,
    TokenExpiry,
    ValidationError,
    Worker,
    parse_report,
)
from invitekit.adapters.files import FolderMailer
from invitekit.adapters.memory import MemoryMailer, MemoryStore
from invitekit.adapters.smtp import SMTPMailer
from invitekit.adapters.sql import SQLStore, current, head, upgrade
from invitekit.cli import ExitCode, main
from invitekit.policy import Action, DurationCutoff, Rule
from invitekit.ports import Mailer, Store
from invitekit.schedule import allowance, next_send_time
from invitekit.testing import (
    TEST_SECRET,
    AcceptedCustomer,
    FakeClock,
    FlakyMailer,
    InsecureKey,
    make_accepted_customer,
    make_business,
    make_kit,
)
from invitekit.transitions import reminder_due

store: Store = MemoryStore()
sql_store: Store = SQLStore.from_url("sqlite:///invitekit.db")
with sql_store.transaction(readonly=True) as reading:
    stored: Customer | None = reading.get_customer("studio-1", "cus_1")
mailer: Mailer = MemoryMailer()

# Migrations: upgrade to the newest revision, read where a database is.
before, after = upgrade(SQLStore.from_url("sqlite:///invitekit.db", create=False).engine)
revision: str | None = current(SQLStore.from_url("sqlite:///invitekit.db").engine)
newest: str = head()
outdated_error = SchemaOutdated("old", current=revision, head=newest)
old_revision: str | None = outdated_error.current

# The command, called from Python: an exit status.
status: int = main(["db", "current"], environ={"INVITEKIT_DATABASE_URL": "sqlite://"})
up_to_date: bool = status == ExitCode.OK
files: Mailer = FolderMailer("outbox")
smtp: Mailer = SMTPMailer(host="smtp.example.com", username="studio", password="secret")

kit = InviteKit(
    store=store,
    mailer=mailer,
    clock=FakeClock(),
    business=Business(
        id="studio-1",
        name="Studio One",
        sender="hello@studio.example",
        activation_url="https://studio.example/activate/{token}",
        unsubscribe_url="https://studio.example/unsubscribe/{token}",
        reset_url="https://studio.example/reset/{token}",
    ),
    secret_keys=[secrets.token_urlsafe(32)],
    token_expiry=TokenExpiry(activation=timedelta(days=7)),
    password_rules=PasswordRules(min_length=12),
    password_hasher=PasswordHasher(time_cost=3),
    outbox=OutboxSettings(batch_size=200, campaign_batch_size=500),
)
# The two required links are plain strings; the two optional ones may be None.
activation_page: str = kit.business.activation_url
reset_page: str | None = kit.business.reset_url

customer: Customer = kit.add_customer("ana@example.com", first_name="Ana", locale="es")
found: Customer | None = kit.find_customer("ANA@example.com")
listed: list[Customer] = kit.list_customers(status=Status.ADDED, archived=False)
plan: InvitationPlan = kit.plan_invitations(Audience.status(Status.ADDED))
queued: OutboxMessage = kit.invite(customer.id)
report: InvitationReport = kit.invite_audience(Audience.group("Monday class"), by="owner")
campaign_id: str | None = report.campaign_id
campaigns: list[Campaign] = kit.list_campaigns()
paused: bool = campaigns[0].paused
how_it_went: CampaignReport = kit.campaign_report(campaigns[0].id)
opened: int = how_it_went.by_locale["es"].link_opened
try:
    kit.campaign_report("cmp_unknown")
except CampaignNotFound as missing:
    not_found: LookupError = missing
staff: str | None = kit.history(customer.id)[0].by
archived_by: Customer = kit.archive_customer(customer.id, by="front-desk")
delivered: DeliveryReport = kit.deliver()
held_back: int = delivered.held_back  # pacing, quiet hours: scheduled for later
scheduled: InvitationReport = kit.invite_audience(
    Audience.all(), send_at=datetime(2026, 1, 13, 8, tzinfo=UTC)
)
scheduled_one: OutboxMessage = kit.invite(customer.id, send_at=datetime.now(UTC))
send_at: datetime | None = kit.list_campaigns()[0].send_at
reminder_text: InvitationTemplate = kit.save_reminder_template(
    "es", subject="¿Sigues ahí?", body="Te esperamos en {{ business_name }}."
)
shipped_reminder: InvitationTemplate = kit.reminder_template("de_AT")
settings_version: int = kit.store_business()
everyone: DeliveryReport = Worker(
    store=kit.store, mailer=kit.mailer, secret_keys=["a-secret-key"]
).deliver(limit=10)
with Worker(
    store=kit.store,
    mailer=kit.mailer,
    secret_keys=["a-secret-key"],
    outbox=OutboxSettings(record_every=1),
) as running:
    kept_session_batch: DeliveryReport = running.deliver(limit=10)
durable_store: SQLStore = SQLStore.from_url("sqlite:///invitekit.db", sqlite_synchronous="FULL")
preview: Email = kit.preview_invitation(customer.id)
shown_again: Email = kit.render_message(queued.id)
history: list[Event] = kit.history(customer.id)
notes: list[EventNote | None] = [event.note for event in history]
providers: list[str] = [event.note_value for event in history]
counts: dict[Status, int] = kit.status_counts()
portal: bool = kit.can_use_portal(customer.id)
front_desk: str = kit.issue_activation_link(customer.id, by="desk-1")
booking_url: str = kit.booking_link(
    customer.id, "bk-1", valid_until=datetime(2030, 1, 1, 10, tzinfo=UTC)
)
booking_check: BookingLinkCheck = kit.check_booking_link("token")
booking_id: str = booking_check.booking_id
booking_until: datetime = booking_check.valid_until
booking_customer: Customer = booking_check.customer
handed: bool = kit.tokens.verify("token", Purpose.ACTIVATION).handed

try:
    check: ActivationCheck = kit.check_activation("token")
    accepted: Customer = kit.accept_invitation("token", "a long password")
    logged_in: Customer = kit.login("ana@example.com", "a long password", client="203.0.113.7")
except TokenError as refusal:
    reason: str = str(refusal)

kit.request_password_reset("ana@example.com")
kit.request_password_reset("ana@example.com", locale="es")
kit.request_email_change(customer.id, "ana.new@example.com", password="a long password")
kit.request_email_change(
    customer.id, "ana.new@example.com", reauthenticated_at=datetime(2026, 3, 1, tzinfo=UTC)
)
try:
    change_check: ActivationCheck = kit.check_email_change("token")
    changed: Customer = kit.confirm_email_change("token")
except EmailAddressTaken as taken:
    taken_reason: str = str(taken)
except ReauthenticationRequired:
    pass
kit.register("new@example.com", first_name="Neu", password="another long password")
try:
    kit.register("new@example.com", first_name="Neu", password="short")
except ValidationError as refused:
    refused_code: str = refused.code
    refused_limit: int | None = refused.limit
    refused_field: str | None = refused.field

policy = CancellationPolicy(
    timezone="Europe/Vienna",
    cancel=Rule.windowed(DurationCutoff(before=timedelta(hours=24))),
)
start = datetime(2026, 3, 5, 17, tzinfo=UTC)
booking = Booking(
    start=start, end=start + timedelta(hours=1), created_at=start - timedelta(days=3)
)
decision: Decision = policy.evaluate(booking, Action.CANCEL, now=start - timedelta(days=2))
allowed: bool = decision.allowed

# Test builders: every part has a default and can be given by keyword.
test_business: Business = make_business(id="studio-2", timezone="UTC")
test_kit: InviteKit = make_kit(
    mailer=FlakyMailer(),
    business=test_business,
    secret_keys=[InsecureKey("a published key, for tests only"), TEST_SECRET],
    outbox=OutboxSettings(max_attempts=2),
)
ana: AcceptedCustomer = make_accepted_customer(test_kit, "ana@example.com", first_name="Ana")
ana_customer: Customer = ana.customer
ana_password: str = ana.password
ana_invitation: Email = ana.invitation


# After the send: reading a bounce, pacing and reminder settings, the funnel's values.
bounce: BounceReport | None = parse_report(b"From: a@b.example\r\n\r\nhello")
if bounce is not None:
    bounced_id: str = bounce.message_id
    hard: bool = bounce.kind is BounceKind.HARD
    status_code: str | None = bounce.status
    bounced_to: str | None = bounce.recipient
paced = Business(
    id="studio-3",
    name="Studio Three",
    sender="hello@studio.example",
    activation_url="https://studio.example/activate/{token}",
    unsubscribe_url="https://studio.example/unsubscribe/{token}",
    pacing=Pacing(per_hour=200, per_day=1000, quiet_hours=(time(21), time(8))),
    reminders=Reminders(after=(timedelta(days=3), timedelta(days=10))),
)
next_at: datetime = next_send_time(
    paced.pacing, timezone=paced.timezone, now=datetime.now(UTC), sent=[]
)
room: int | None = allowance(paced.pacing, sent_last_hour=10, sent_last_day=10)
due: ReminderDue | None = reminder_due(
    paced.reminders, ana_customer, now=datetime.now(UTC), reminders_sent=0, pending=False
)
campaign = Campaign(id="cmp_1", business_id="studio-3", created_at=datetime.now(UTC))
funnel = CampaignReport(campaign_id=campaign.id, sent=120, by_locale={"es": FunnelCounts(sent=3)})
pause: str | None = CircuitBreaker(share=0.05, minimum=100).pause_reason(
    sent=funnel.sent, hard_bounces=funnel.bounced
)
gone: bool = BounceRule(soft_limit=3, soft_window=timedelta(days=30)).makes_undeliverable(
    "soft", now=datetime.now(UTC), soft_bounces=[datetime.now(UTC)]
)
kinds = (EventKind.BOUNCED, EventKind.COMPLAINED, SkipReason.UNDELIVERABLE)

# Bounces, complaints, undeliverable addresses, the circuit breaker.
bouncing = make_kit(
    bounces=BounceSettings(
        soft_limit=3, soft_window=timedelta(days=30), breaker=CircuitBreaker(minimum=200)
    )
)
outcome: BounceOutcome = bouncing.record_bounce("<msg_1@studio.example>", "hard", detail="5.1.1")
outcome_again: BounceOutcome = bouncing.record_bounce("<msg_1@studio.example>", BounceKind.SOFT)
made_undeliverable: bool = outcome.undeliverable and not outcome.paused
applied: BounceReport | None = bouncing.process_report(b"raw email bytes")
cleared: Customer = bouncing.clear_undeliverable(customer.id, by="front-desk")
undeliverable_since: datetime | None = cleared.undeliverable_at
why_undeliverable: str | None = cleared.undeliverable_reason
resumed: Campaign = bouncing.resume_campaign("cmp_1", by="owner")
resumed_at: datetime | None = resumed.resumed_at
store_wide: tuple[str, BounceOutcome | None] = BounceProcessor(
    store=kit.store, bounces=BounceSettings()
).process_report(b"raw email bytes")
worker_with_breaker = Worker(
    store=kit.store, mailer=kit.mailer, secret_keys=["a-secret-key"], bounces=BounceSettings()
)

# Signing in with an external provider.
signed_in: Customer = kit.sign_in_with_provider(
    "google", "10769150350006150715113082367", email="ana@example.com", email_verified=True
)
signed_up: Customer = kit.sign_in_with_provider(
    "facebook",
    "1234567890",
    email="new@example.com",
    email_verified=True,
    first_name="Neu",
    last_name=None,
    locale="de",
    allow_signup=False,
)
linked_identities: list[Identity] = kit.identities(signed_in.id)
linked_provider: str = linked_identities[0].provider
try:
    kit.sign_in_with_provider("google", "42", email="ana@example.com", email_verified=False)
except ProviderEmailNotVerified as unverified:
    offer_signup: bool = unverified.can_sign_up
    unverified_email: str | None = unverified.email
except ProviderSignInRefused as provider_refused:
    refused_reason: str = provider_refused.reason
try:
    still_in: Customer = kit.unlink_provider(signed_in.id, "google")
except LastWayIn as last:
    kept_provider: str = last.provider
except IdentityNotFound as not_linked:
    missing_identity: LookupError = not_linked
provider_events = (EventKind.PROVIDER_LINKED, EventKind.PROVIDER_UNLINKED)
# Privacy requests and retention.
keeping = make_kit(retention=Retention(events=None, messages=timedelta(days=30), batch_size=100))
exported: dict[str, Any] = keeping.export_customer(customer.id)
keeping.erase_customer(customer.id, by="front-desk")
purged: PurgeReport = keeping.purge()
purged_later: int = keeping.purge(datetime.now(UTC) + timedelta(days=90)).total
store_purged: PurgeReport = Worker(
    store=kit.store, mailer=kit.mailer, secret_keys=["a-secret-key"], retention=Retention()
).purge()
erased_kind: EventKind = EventKind.ERASED
# The event feed and webhooks.
from invitekit import FeedEvent, Webhook  # noqa: E402
from invitekit.adapters.webhooks import HTTPWebhookSender  # noqa: E402

feed_page: tuple[list[FeedEvent], str] = kit.events_since(None, limit=50)
feed_items, feed_cursor = feed_page
feed_again: tuple[list[FeedEvent], str] = kit.events_since(feed_cursor)
first_position: int = feed_items[0].position if feed_items else 0
first_kind: EventKind | None = feed_items[0].event.kind if feed_items else None
endpoint: Webhook = kit.add_webhook("https://crm.example/hooks", secret=None)
endpoint_secret: str = endpoint.secret
endpoints: list[Webhook] = kit.list_webhooks()
enabled_endpoint: Webhook = kit.enable_webhook(endpoint.id)
kit.remove_webhook(endpoint.id)
hooked_kit = InviteKit(
    store=kit.store,
    mailer=kit.mailer,
    business=kit.business,
    secret_keys=["a-secret-key"],
    webhook_sender=HTTPWebhookSender(timeout=5.0),
)
webhooks_sent: int = hooked_kit.deliver().webhooks_sent
hooked_worker = Worker(
    store=kit.store,
    mailer=kit.mailer,
    secret_keys=["a-secret-key"],
    webhook_sender=HTTPWebhookSender(),
)

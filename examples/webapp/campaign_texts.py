"""The campaign pages' and reminder settings' texts in English, Spanish, French and German.

Merged into :data:`examples.webapp.texts.TEXTS` like the other business texts
(keys starting ``b_``; ``step_*`` names a step of the funnel, for ``w("step", ...)``).
"""

# French typography: the apostrophe is U+2019, as in texts.py.
# ruff: noqa: RUF001

from __future__ import annotations

__all__ = ["CAMPAIGN_TEXTS"]

CAMPAIGN_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "b_campaigns": "Campaigns",
        "b_campaign": "Campaign",
        "b_campaign_started": "Started",
        "b_campaign_audience": "For",
        "b_campaign_by": "by {by}",
        "b_campaign_paused": "Paused",
        "b_no_campaigns": "No campaign yet: invite customers to start one.",
        "b_for_all": "all customers",
        "b_for_status": "customers {status}",
        "b_for_group": "group {group}",
        "b_for_customer": "one customer",
        "b_for_import": "an import",
        "b_funnel": "How the campaign did",
        "b_funnel_hint": (
            "Each bar is a share of the queued invitations. Opened, accepted, bounced and"
            " unsubscribed count customers, each once. An email scanner that fetches the"
            " link before the reader counts as an open."
        ),
        "b_funnel_by_group": "Per group",
        "b_funnel_by_locale": "Per language",
        "b_funnel_group": "Group",
        "b_funnel_locale": "Language",
        "b_funnel_none_group": "None of these customers is in a group.",
        "b_funnel_none_locale": "Nothing queued yet.",
        "b_undeliverable": "Undeliverable addresses",
        "b_undeliverable_hint": (
            "These addresses bounced hard: the receiving server refused them for good."
            " Correct the address on the customer's page before inviting them again."
        ),
        "b_undeliverable_reason": "Reason given by the server",
        "b_no_undeliverable": "No address bounced.",
        "b_reminders": "Reminders",
        "b_reminders_after": (
            "Customers who have not activated their profile get a reminder {days} days"
            " after their last invitation was delivered."
        ),
        "b_reminders_none": "No automatic reminders.",
        "b_reminders_hint": "Set by the application (BUSINESS_REMINDER_DAYS).",
        "step_queued": "queued",
        "step_scheduled": "scheduled",
        "step_sent": "sent",
        "step_failed": "failed",
        "step_bounced": "bounced",
        "step_complained": "marked as spam",
        "step_link_opened": "link opened",
        "step_accepted": "activated",
        "step_unsubscribed": "unsubscribed",
        "step_reminders_sent": "reminders sent",
        "event_link_opened": "invitation link opened",
        "event_erased": "erased on request",
    },
    "es": {
        "b_campaigns": "Campañas",
        "b_campaign": "Campaña",
        "b_campaign_started": "Iniciada",
        "b_campaign_audience": "Para",
        "b_campaign_by": "por {by}",
        "b_campaign_paused": "En pausa",
        "b_no_campaigns": "Aún no hay campañas: invita a tus clientes para empezar una.",
        "b_for_all": "todos los clientes",
        "b_for_status": "clientes en estado {status}",
        "b_for_group": "grupo {group}",
        "b_for_customer": "un cliente",
        "b_for_import": "una importación",
        "b_funnel": "Cómo fue la campaña",
        "b_funnel_hint": (
            "Cada barra es una parte de las invitaciones en cola. Abiertas, activadas,"
            " rebotadas y bajas cuentan clientes, cada uno una vez. Un escáner de correo"
            " que abre el enlace antes que la persona cuenta como una apertura."
        ),
        "b_funnel_by_group": "Por grupo",
        "b_funnel_by_locale": "Por idioma",
        "b_funnel_group": "Grupo",
        "b_funnel_locale": "Idioma",
        "b_funnel_none_group": "Ninguno de estos clientes está en un grupo.",
        "b_funnel_none_locale": "Aún no hay nada en cola.",
        "b_undeliverable": "Direcciones sin entrega posible",
        "b_undeliverable_hint": (
            "Estas direcciones rebotaron de forma definitiva: el servidor de destino las"
            " rechazó. Corrige la dirección en la página del cliente antes de invitarlo"
            " de nuevo."
        ),
        "b_undeliverable_reason": "Motivo indicado por el servidor",
        "b_no_undeliverable": "Ninguna dirección ha rebotado.",
        "b_reminders": "Recordatorios",
        "b_reminders_after": (
            "Los clientes que no han activado su perfil reciben un recordatorio {days} días"
            " después de la entrega de su última invitación."
        ),
        "b_reminders_none": "Sin recordatorios automáticos.",
        "b_reminders_hint": "Lo configura la aplicación (BUSINESS_REMINDER_DAYS).",
        "step_queued": "en cola",
        "step_scheduled": "programadas",
        "step_sent": "enviadas",
        "step_failed": "fallidas",
        "step_bounced": "rebotadas",
        "step_complained": "marcadas como spam",
        "step_link_opened": "enlace abierto",
        "step_accepted": "activadas",
        "step_unsubscribed": "bajas",
        "step_reminders_sent": "recordatorios enviados",
        "event_link_opened": "enlace de invitación abierto",
        "event_erased": "datos borrados a petición",
    },
    "fr": {
        "b_campaigns": "Campagnes",
        "b_campaign": "Campagne",
        "b_campaign_started": "Lancée le",
        "b_campaign_audience": "Pour",
        "b_campaign_by": "par {by}",
        "b_campaign_paused": "En pause",
        "b_no_campaigns": (
            "Aucune campagne pour l’instant : invitez des clients pour en lancer une."
        ),
        "b_for_all": "tous les clients",
        "b_for_status": "clients au statut {status}",
        "b_for_group": "groupe {group}",
        "b_for_customer": "un client",
        "b_for_import": "une importation",
        "b_funnel": "Résultats de la campagne",
        "b_funnel_hint": (
            "Chaque barre est une part des invitations en file d’attente. Ouvertures,"
            " activations, rebonds et désinscriptions comptent des clients, chacun une fois."
            " Un analyseur de courriel qui ouvre le lien avant le lecteur compte comme une"
            " ouverture."
        ),
        "b_funnel_by_group": "Par groupe",
        "b_funnel_by_locale": "Par langue",
        "b_funnel_group": "Groupe",
        "b_funnel_locale": "Langue",
        "b_funnel_none_group": "Aucun de ces clients n’est dans un groupe.",
        "b_funnel_none_locale": "Rien en file d’attente pour l’instant.",
        "b_undeliverable": "Adresses non distribuables",
        "b_undeliverable_hint": (
            "Ces adresses ont été rejetées définitivement par le serveur destinataire."
            " Corrigez l’adresse sur la page du client avant de l’inviter à nouveau."
        ),
        "b_undeliverable_reason": "Motif donné par le serveur",
        "b_no_undeliverable": "Aucune adresse rejetée.",
        "b_reminders": "Relances",
        "b_reminders_after": (
            "Les clients qui n’ont pas activé leur profil reçoivent une relance {days} jours"
            " après la remise de leur dernière invitation."
        ),
        "b_reminders_none": "Pas de relance automatique.",
        "b_reminders_hint": "Réglé par l’application (BUSINESS_REMINDER_DAYS).",
        "step_queued": "en file d’attente",
        "step_scheduled": "programmées",
        "step_sent": "envoyées",
        "step_failed": "échouées",
        "step_bounced": "rejetées",
        "step_complained": "signalées comme spam",
        "step_link_opened": "lien ouvert",
        "step_accepted": "activées",
        "step_unsubscribed": "désinscriptions",
        "step_reminders_sent": "relances envoyées",
        "event_link_opened": "lien d’invitation ouvert",
        "event_erased": "données effacées sur demande",
    },
    "de": {
        "b_campaigns": "Kampagnen",
        "b_campaign": "Kampagne",
        "b_campaign_started": "Gestartet",
        "b_campaign_audience": "Für",
        "b_campaign_by": "von {by}",
        "b_campaign_paused": "Pausiert",
        "b_no_campaigns": (
            "Noch keine Kampagne: Lade Kundinnen und Kunden ein, um eine zu starten."
        ),
        "b_for_all": "alle Kundinnen und Kunden",
        "b_for_status": "Status {status}",
        "b_for_group": "Gruppe {group}",
        "b_for_customer": "eine Person",
        "b_for_import": "ein Import",
        "b_funnel": "So lief die Kampagne",
        "b_funnel_hint": (
            "Jeder Balken ist ein Anteil der eingereihten Einladungen. Geöffnet, aktiviert,"
            " unzustellbar und abgemeldet zählen Personen, jede einmal. Ein E-Mail-Scanner,"
            " der den Link vor der Person abruft, zählt als Öffnung."
        ),
        "b_funnel_by_group": "Nach Gruppe",
        "b_funnel_by_locale": "Nach Sprache",
        "b_funnel_group": "Gruppe",
        "b_funnel_locale": "Sprache",
        "b_funnel_none_group": "Keine dieser Personen ist in einer Gruppe.",
        "b_funnel_none_locale": "Noch nichts eingereiht.",
        "b_undeliverable": "Unzustellbare Adressen",
        "b_undeliverable_hint": (
            "Diese Adressen hat der empfangende Server endgültig abgelehnt. Korrigiere die"
            " Adresse auf der Seite der Person, bevor du sie erneut einlädst."
        ),
        "b_undeliverable_reason": "Grund laut Server",
        "b_no_undeliverable": "Keine Adresse wurde abgelehnt.",
        "b_reminders": "Erinnerungen",
        "b_reminders_after": (
            "Wer das Profil noch nicht aktiviert hat, bekommt {days} Tage nach der Zustellung"
            " der letzten Einladung eine Erinnerung."
        ),
        "b_reminders_none": "Keine automatischen Erinnerungen.",
        "b_reminders_hint": "Von der Anwendung eingestellt (BUSINESS_REMINDER_DAYS).",
        "step_queued": "eingereiht",
        "step_scheduled": "geplant",
        "step_sent": "gesendet",
        "step_failed": "fehlgeschlagen",
        "step_bounced": "unzustellbar",
        "step_complained": "als Spam markiert",
        "step_link_opened": "Link geöffnet",
        "step_accepted": "aktiviert",
        "step_unsubscribed": "abgemeldet",
        "step_reminders_sent": "Erinnerungen gesendet",
        "event_link_opened": "Einladungslink geöffnet",
        "event_erased": "auf Wunsch gelöscht",
    },
}

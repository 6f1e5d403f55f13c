"""The front desk's link and the booking page's texts in English, Spanish, French and German.

Merged into :data:`examples.webapp.texts.TEXTS` like the other texts (keys
starting ``b_`` are the business pages').
"""

# French typography: the apostrophe is U+2019, as in texts.py.
# ruff: noqa: RUF001

from __future__ import annotations

__all__ = ["LINK_FORMAL_TEXTS", "LINK_TEXTS"]

LINK_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "b_action_send_booking": "Email the booking link",
        "b_booking_sent": "Booking confirmation sent to {email}.",
        "b_booking_not_sent": "Not sent: {error}",
        "bk_title": "Your booking",
        "bk_valid_until": "This link works until {date}.",
        "bk_is_cancelled": "This booking is cancelled.",
        "bk_is_past": "This class is over.",
        "bk_expired": (
            "This link has expired: it worked until the class started. Log in to see"
            " your bookings."
        ),
        "bk_used": (
            "This link no longer works because the profile changed. Log in to see your"
            " bookings, or ask {business} for a new link."
        ),
        "bk_gone": "This booking does not exist (any more).",
        "bk_mail_greeting": "Hello {name},",
        "bk_mail_greeting_anonymous": "Hello,",
        "bk_mail_subject": "Your booking at {business}: {title}, {date}",
        "bk_mail_body": (
            "You are booked for {title} on {date}.\n\nTo cancel or reschedule it, open this"
            " link. It works until the class starts:\n{link}"
        ),
        "b_action_front_desk": "Activation link for the front desk",
        "b_front_desk": "Activate at the front desk",
        "b_front_desk_hint": (
            "Let {email} scan this code with their phone and choose a password. No email"
            " is sent. The link works once, until {until}; it stops working if the"
            " customer is archived or their address changes."
        ),
        "b_front_desk_text": "Or send the link in a text message:",
        "b_front_desk_qr": "QR code of the activation link for {email}",
        "b_no_front_desk_link": "No link: {error}",
        "event_activation_link_issued": "activation link issued without email",
        "note_handed_link": "with a link issued without email",
    },
    "es": {
        "b_action_send_booking": "Enviar el enlace de la reserva",
        "b_booking_sent": "Confirmación de la reserva enviada a {email}.",
        "b_booking_not_sent": "No enviado: {error}",
        "bk_title": "Tu reserva",
        "bk_valid_until": "Este enlace sirve hasta el {date}.",
        "bk_is_cancelled": "Esta reserva está cancelada.",
        "bk_is_past": "Esta clase ya ha terminado.",
        "bk_expired": (
            "Este enlace ha caducado: servía hasta el comienzo de la clase. Inicia sesión"
            " para ver tus reservas."
        ),
        "bk_used": (
            "Este enlace ya no funciona porque el perfil ha cambiado. Inicia sesión para"
            " ver tus reservas o pide un enlace nuevo a {business}."
        ),
        "bk_gone": "Esta reserva no existe (o ya no existe).",
        "bk_mail_greeting": "Hola {name}:",
        "bk_mail_greeting_anonymous": "Hola:",
        "bk_mail_subject": "Tu reserva en {business}: {title}, {date}",
        "bk_mail_body": (
            "Tienes una reserva para {title} el {date}.\n\nPara cancelarla o cambiarla,"
            " abre este enlace. Sirve hasta que empiece la clase:\n{link}"
        ),
        "b_action_front_desk": "Enlace de activación para el mostrador",
        "b_front_desk": "Activar en el mostrador",
        "b_front_desk_hint": (
            "Deja que {email} escanee este código con su móvil y elija una contraseña."
            " No se envía ningún correo. El enlace sirve una sola vez, hasta el {until};"
            " deja de funcionar si se archiva al cliente o cambia su dirección."
        ),
        "b_front_desk_text": "O envía el enlace por SMS:",
        "b_front_desk_qr": "Código QR del enlace de activación de {email}",
        "b_no_front_desk_link": "Sin enlace: {error}",
        "event_activation_link_issued": "enlace de activación entregado sin correo",
        "note_handed_link": "con un enlace entregado sin correo",
    },
    "fr": {
        "b_action_send_booking": "Envoyer le lien de la réservation",
        "b_booking_sent": "Confirmation de réservation envoyée à {email}.",
        "b_booking_not_sent": "Non envoyé : {error}",
        "bk_title": "Votre réservation",
        "bk_valid_until": "Ce lien fonctionne jusqu’au {date}.",
        "bk_is_cancelled": "Cette réservation est annulée.",
        "bk_is_past": "Ce cours est terminé.",
        "bk_expired": (
            "Ce lien a expiré : il fonctionnait jusqu’au début du cours. Connectez-vous"
            " pour voir vos réservations."
        ),
        "bk_used": (
            "Ce lien ne fonctionne plus car le profil a changé. Connectez-vous pour voir"
            " vos réservations, ou demandez un nouveau lien à {business}."
        ),
        "bk_gone": "Cette réservation n’existe pas (ou plus).",
        "bk_mail_greeting": "Bonjour {name},",
        "bk_mail_greeting_anonymous": "Bonjour,",
        "bk_mail_subject": "Votre réservation chez {business} : {title}, {date}",
        "bk_mail_body": (
            "Votre réservation pour {title} le {date} est confirmée.\n\nPour l’annuler ou"
            " la déplacer, ouvrez ce lien. Il fonctionne jusqu’au début du cours :\n{link}"
        ),
        "b_action_front_desk": "Lien d’activation pour l’accueil",
        "b_front_desk": "Activer à l’accueil",
        "b_front_desk_hint": (
            "Faites scanner ce code à {email} avec son téléphone pour choisir un mot de"
            " passe. Aucun e-mail n’est envoyé. Le lien ne sert qu’une fois, jusqu’au"
            " {until} ; il cesse de fonctionner si le client est archivé ou change"
            " d’adresse."
        ),
        "b_front_desk_text": "Ou envoyez le lien par SMS :",
        "b_front_desk_qr": "Code QR du lien d’activation de {email}",
        "b_no_front_desk_link": "Pas de lien : {error}",
        "event_activation_link_issued": "lien d’activation remis sans e-mail",
        "note_handed_link": "avec un lien remis sans e-mail",
    },
    "de": {
        "b_action_send_booking": "Buchungslink senden",
        "b_booking_sent": "Buchungsbestätigung an {email} gesendet.",
        "b_booking_not_sent": "Nicht gesendet: {error}",
        "bk_title": "Deine Buchung",
        "bk_valid_until": "Dieser Link gilt bis {date}.",
        "bk_is_cancelled": "Diese Buchung ist storniert.",
        "bk_is_past": "Dieser Kurs ist vorbei.",
        "bk_expired": (
            "Dieser Link ist abgelaufen: Er galt bis zum Beginn des Kurses. Melde dich an,"
            " um deine Buchungen zu sehen."
        ),
        "bk_used": (
            "Dieser Link gilt nicht mehr, weil sich das Profil geändert hat. Melde dich an,"
            " um deine Buchungen zu sehen, oder bitte {business} um einen neuen Link."
        ),
        "bk_gone": "Diese Buchung gibt es nicht (mehr).",
        "bk_mail_greeting": "Hallo {name},",
        "bk_mail_greeting_anonymous": "Hallo,",
        "bk_mail_subject": "Deine Buchung bei {business}: {title}, {date}",
        "bk_mail_body": (
            "Du hast {title} am {date} gebucht.\n\nÖffne diesen Link, um die Buchung zu"
            " stornieren oder zu verschieben. Er gilt bis zum Beginn des Kurses:\n{link}"
        ),
        "b_action_front_desk": "Aktivierungslink für den Empfang",
        "b_front_desk": "Am Empfang aktivieren",
        "b_front_desk_hint": (
            "Lassen Sie {email} diesen Code mit dem Handy scannen und ein Passwort"
            " wählen. Es wird keine E-Mail gesendet. Der Link gilt einmal, bis {until};"
            " er erlischt, wenn die Kundin oder der Kunde archiviert wird oder die"
            " Adresse sich ändert."
        ),
        "b_front_desk_text": "Oder den Link per SMS senden:",
        "b_front_desk_qr": "QR-Code des Aktivierungslinks für {email}",
        "b_no_front_desk_link": "Kein Link: {error}",
        "event_activation_link_issued": "Aktivierungslink ohne E-Mail ausgegeben",
        "note_handed_link": "mit einem Link ohne E-Mail",
    },
}

#: The formal variants (German "Sie", Spanish "usted") of the customer texts above,
#: merged into :data:`examples.webapp.formal_texts.FORMAL_TEXTS`.
LINK_FORMAL_TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "bk_title": "Su reserva",
        "bk_expired": (
            "Este enlace ha caducado: servía hasta el comienzo de la clase. Inicie sesión"
            " para ver sus reservas."
        ),
        "bk_used": (
            "Este enlace ya no funciona porque el perfil ha cambiado. Inicie sesión para"
            " ver sus reservas o pida un enlace nuevo a {business}."
        ),
        "bk_mail_subject": "Su reserva en {business}: {title}, {date}",
        "bk_mail_body": (
            "Tiene una reserva para {title} el {date}.\n\nPara cancelarla o cambiarla,"
            " abra este enlace. Sirve hasta que empiece la clase:\n{link}"
        ),
    },
    "de": {
        "bk_title": "Ihre Buchung",
        "bk_expired": (
            "Dieser Link ist abgelaufen: Er galt bis zum Beginn des Kurses. Melden Sie sich"
            " an, um Ihre Buchungen zu sehen."
        ),
        "bk_used": (
            "Dieser Link gilt nicht mehr, weil sich das Profil geändert hat. Melden Sie sich"
            " an, um Ihre Buchungen zu sehen, oder bitten Sie {business} um einen neuen Link."
        ),
        "bk_mail_subject": "Ihre Buchung bei {business}: {title}, {date}",
        "bk_mail_body": (
            "Sie haben {title} am {date} gebucht.\n\nÖffnen Sie diesen Link, um die Buchung"
            " zu stornieren oder zu verschieben. Er gilt bis zum Beginn des Kurses:\n{link}"
        ),
    },
}

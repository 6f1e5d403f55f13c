"""The front desk's link and the booking page's texts in English, Spanish, French and German.

Merged into :data:`examples.webapp.texts.TEXTS` like the other texts (keys
starting ``b_`` are the business pages').
"""

# French typography: the apostrophe is U+2019, as in texts.py.
# ruff: noqa: RUF001

from __future__ import annotations

__all__ = ["LINK_TEXTS"]

LINK_TEXTS: dict[str, dict[str, str]] = {
    "en": {
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

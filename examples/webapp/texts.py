"""The texts of the customer pages in English, Spanish, French and German.

A real application would keep these in gettext catalogs next to its templates;
for an example a dict keeps every language of one text side by side, so a
translator sees what each sentence says in the others.  The business pages are
in English only: the customer pages are the ones that must speak the
customer's language.
"""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale

from invitekit.i18n import negotiate_locale

__all__ = ["LANGUAGES", "TEXTS", "choose_locale", "text"]

#: The languages the customer pages are written in, with their own names.
LANGUAGES = {"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch"}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "home_title": "Welcome",
        "home_intro": "Book your classes at {business}.",
        "login_not_offered": "Customer login is turned off here: book at the front desk.",
        "login_offered": "Log in to see your bookings.",
        "login_required": "Log in to book a class.",
        "login_satisfied": "You are logged in: new bookings go to your profile.",
        "my_bookings": "My bookings",
        "activate_title": "Activate your profile",
        "activate_intro": "Hello {name}, choose a password for {email}.",
        "activate_intro_anonymous": "Choose a password for {email}.",
        "link_valid_until": "This link works until {date}.",
        "password": "Password",
        "new_password": "New password",
        "password_hint": "At least {min} characters. Any characters, spaces too.",
        "activate_button": "Activate my profile",
        "activated": "Your profile is active. Welcome!",
        "weak_password": (
            "This password cannot be used: it needs at least {min} characters and must"
            " not be your name, your email address or a very common password."
        ),
        "link_problem_title": "This link does not work",
        "err_expired": "This link has expired. Ask {business} to invite you again.",
        "err_reset_expired": "This link has expired. Ask for a new one below.",
        "err_used": "Your profile is already activated. Log in with your email and password.",
        "err_reset_used": "This link was already used or replaced by a newer one.",
        "err_test": (
            "This link comes from a test invitation, so it activates nothing."
            " Your customers see the activation page here."
        ),
        "err_archived": "This profile is no longer active. Please contact {business}.",
        "err_invalid": (
            "This link is not valid. Check that you opened the whole link from the email."
        ),
        "login_title": "Log in",
        "email": "Email address",
        "login_button": "Log in",
        "login_failed": "The email address or the password is not right.",
        "login_throttled": "Too many failed attempts. Please try again later.",
        "logout": "Log out",
        "logged_out": "You are logged out.",
        "forgot_link": "Forgot your password?",
        "forgot_title": "Forgot your password?",
        "forgot_intro": (
            "Enter your email address and we will send you a link to choose a new one."
        ),
        "forgot_button": "Send me the link",
        "forgot_sent": "If this address belongs to a profile, an email is on its way.",
        "invalid_email": "This is not an email address.",
        "reset_title": "Choose a new password",
        "reset_button": "Save the new password",
        "reset_done": "Your password is changed. Log in with the new one.",
        "portal_title": "My bookings",
        "hello": "Hello {name}",
        "upcoming": "Upcoming",
        "past": "Past",
        "no_upcoming": "No upcoming bookings.",
        "no_past": "No past bookings.",
        "cancel": "Cancel",
        "reschedule": "Move to the same time next week",
        "cancelled": "Cancelled",
        "cancel_done": "Your booking is cancelled.",
        "reschedule_done": "Your booking is moved to {date}.",
        "refused_title": "This cannot be done now",
        "back_to_bookings": "Back to my bookings",
        "details_title": "My details",
        "first_name": "First name",
        "last_name": "Last name",
        "language": "Language",
        "save": "Save",
        "details_saved": "Your details are saved.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_intro": "Stop invitation emails from {business} to {email}?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed": "Done: {business} will send you no more invitation emails.",
        "csrf_error": "This form has expired. Go back, reload the page and try again.",
        "not_found": "This page does not exist.",
        "please_log_in": "Please log in to see your bookings.",
        "signup_link": "New here? Create a profile",
        "signup_title": "Create a profile",
        "signup_intro": (
            "Create a profile with your email address to see and manage your bookings."
        ),
        "signup_button": "Create my profile",
        "signup_sent": "Check your inbox: we sent you a link to confirm your address.",
        "verify_title": "Confirm your email address",
        "verify_intro": "Confirm {email} with the password you chose when you signed up.",
        "verify_button": "Confirm",
        "verify_wrong_password": "Enter the password you chose when you signed up.",
        "err_verify_expired": "This link has expired. Sign up again to get a new one.",
        "err_verify_superseded": (
            "{business} has added a profile for this address since you signed up. "
            "We sent a new link to it: confirm with that one."
        ),
    },
    "es": {
        "home_title": "Bienvenido",
        "home_intro": "Reserva tus clases en {business}.",
        "login_not_offered": "Aquí no hay inicio de sesión para clientes: reserva en recepción.",
        "login_offered": "Inicia sesión para ver tus reservas.",
        "login_required": "Inicia sesión para reservar una clase.",
        "login_satisfied": "Has iniciado sesión: las nuevas reservas van a tu perfil.",
        "my_bookings": "Mis reservas",
        "activate_title": "Activa tu perfil",
        "activate_intro": "Hola {name}, elige una contraseña para {email}.",
        "activate_intro_anonymous": "Elige una contraseña para {email}.",
        "link_valid_until": "Este enlace funciona hasta el {date}.",
        "password": "Contraseña",
        "new_password": "Nueva contraseña",
        "password_hint": "Al menos {min} caracteres. Cualquier carácter, también espacios.",
        "activate_button": "Activar mi perfil",
        "activated": "Tu perfil está activo. ¡Bienvenido!",
        "weak_password": (
            "No se puede usar esta contraseña: necesita al menos {min} caracteres y no"
            " puede ser tu nombre, tu correo electrónico ni una contraseña muy común."
        ),
        "link_problem_title": "Este enlace no funciona",
        "err_expired": "Este enlace ha caducado. Pide a {business} que te invite de nuevo.",
        "err_reset_expired": "Este enlace ha caducado. Pide uno nuevo aquí abajo.",
        "err_used": "Tu perfil ya está activado. Inicia sesión con tu correo y tu contraseña.",
        "err_reset_used": "Este enlace ya se usó o fue sustituido por uno más reciente.",
        "err_test": (
            "Este enlace viene de una invitación de prueba, así que no activa nada."
            " Tus clientes ven aquí la página de activación."
        ),
        "err_archived": "Este perfil ya no está activo. Ponte en contacto con {business}.",
        "err_invalid": (
            "Este enlace no es válido. Comprueba que abriste el enlace completo del correo."
        ),
        "login_title": "Iniciar sesión",
        "email": "Correo electrónico",
        "login_button": "Iniciar sesión",
        "login_failed": "El correo electrónico o la contraseña no son correctos.",
        "login_throttled": "Demasiados intentos fallidos. Inténtalo de nuevo más tarde.",
        "logout": "Cerrar sesión",
        "logged_out": "Has cerrado la sesión.",
        "forgot_link": "¿Has olvidado tu contraseña?",
        "forgot_title": "¿Has olvidado tu contraseña?",
        "forgot_intro": (
            "Escribe tu correo electrónico y te enviaremos un enlace para elegir otra."
        ),
        "forgot_button": "Enviarme el enlace",
        "forgot_sent": "Si esta dirección pertenece a un perfil, te hemos enviado un correo.",
        "invalid_email": "Esto no es una dirección de correo electrónico.",
        "reset_title": "Elige una nueva contraseña",
        "reset_button": "Guardar la nueva contraseña",
        "reset_done": "Tu contraseña ha cambiado. Inicia sesión con la nueva.",
        "portal_title": "Mis reservas",
        "hello": "Hola {name}",
        "upcoming": "Próximas",
        "past": "Pasadas",
        "no_upcoming": "No tienes próximas reservas.",
        "no_past": "No tienes reservas pasadas.",
        "cancel": "Cancelar",
        "reschedule": "Pasar a la misma hora la semana que viene",
        "cancelled": "Cancelada",
        "cancel_done": "Tu reserva está cancelada.",
        "reschedule_done": "Tu reserva se ha pasado al {date}.",
        "refused_title": "Esto no se puede hacer ahora",
        "back_to_bookings": "Volver a mis reservas",
        "details_title": "Mis datos",
        "first_name": "Nombre",
        "last_name": "Apellidos",
        "language": "Idioma",
        "save": "Guardar",
        "details_saved": "Tus datos están guardados.",
        "unsubscribe_title": "Darse de baja",
        "unsubscribe_intro": "¿Dejar de recibir invitaciones de {business} en {email}?",
        "unsubscribe_button": "Darme de baja",
        "unsubscribed": "Hecho: {business} no te enviará más invitaciones.",
        "csrf_error": "Este formulario ha caducado. Vuelve atrás, recarga la página e inténtalo.",
        "not_found": "Esta página no existe.",
        "please_log_in": "Inicia sesión para ver tus reservas.",
        "signup_link": "¿Eres nuevo? Crea un perfil",
        "signup_title": "Crear un perfil",
        "signup_intro": (
            "Crea un perfil con tu correo electrónico para ver y gestionar tus reservas."
        ),
        "signup_button": "Crear mi perfil",
        "signup_sent": "Revisa tu correo: te hemos enviado un enlace para confirmar tu dirección.",
        "verify_title": "Confirma tu correo electrónico",
        "verify_intro": "Confirma {email} con la contraseña que elegiste al registrarte.",
        "verify_button": "Confirmar",
        "verify_wrong_password": "Escribe la contraseña que elegiste al registrarte.",
        "err_verify_expired": "Este enlace ha caducado. Regístrate de nuevo para recibir otro.",
        "err_verify_superseded": (
            "{business} ha creado un perfil con esta dirección después de tu registro. "
            "Te hemos enviado un enlace nuevo: confirma con ese."
        ),
    },
    "fr": {
        "home_title": "Bienvenue",
        "home_intro": "Réservez vos cours chez {business}.",
        "login_not_offered": "Pas de connexion client ici : réservez à l’accueil.",
        "login_offered": "Connectez-vous pour voir vos réservations.",
        "login_required": "Connectez-vous pour réserver un cours.",
        "login_satisfied": "Vous êtes connecté : les nouvelles réservations vont à votre profil.",
        "my_bookings": "Mes réservations",
        "activate_title": "Activez votre profil",
        "activate_intro": "Bonjour {name}, choisissez un mot de passe pour {email}.",
        "activate_intro_anonymous": "Choisissez un mot de passe pour {email}.",
        "link_valid_until": "Ce lien fonctionne jusqu’au {date}.",
        "password": "Mot de passe",
        "new_password": "Nouveau mot de passe",
        "password_hint": "Au moins {min} caractères. Tous les caractères, espaces compris.",
        "activate_button": "Activer mon profil",
        "activated": "Votre profil est actif. Bienvenue !",
        "weak_password": (
            "Ce mot de passe ne peut pas être utilisé : il faut au moins {min} caractères,"
            " et ni votre nom, ni votre adresse e-mail, ni un mot de passe très courant."
        ),
        "link_problem_title": "Ce lien ne fonctionne pas",
        "err_expired": "Ce lien a expiré. Demandez à {business} de vous inviter à nouveau.",
        "err_reset_expired": "Ce lien a expiré. Demandez-en un nouveau ci-dessous.",
        "err_used": (
            "Votre profil est déjà activé. Connectez-vous avec votre e-mail et mot de passe."
        ),
        "err_reset_used": "Ce lien a déjà été utilisé ou remplacé par un plus récent.",
        "err_test": (
            "Ce lien vient d’une invitation de test : il n’active rien."
            " Vos clients voient ici la page d’activation."
        ),
        "err_archived": "Ce profil n’est plus actif. Veuillez contacter {business}.",
        "err_invalid": (
            "Ce lien n’est pas valide. Vérifiez que vous avez ouvert le lien complet de l’e-mail."
        ),
        "login_title": "Connexion",
        "email": "Adresse e-mail",
        "login_button": "Se connecter",
        "login_failed": "L’adresse e-mail ou le mot de passe n’est pas correct.",
        "login_throttled": "Trop de tentatives échouées. Réessayez plus tard.",
        "logout": "Se déconnecter",
        "logged_out": "Vous êtes déconnecté.",
        "forgot_link": "Mot de passe oublié ?",
        "forgot_title": "Mot de passe oublié ?",
        "forgot_intro": "Saisissez votre adresse e-mail : nous vous enverrons un lien.",
        "forgot_button": "M’envoyer le lien",
        "forgot_sent": "Si cette adresse appartient à un profil, un e-mail est en route.",
        "invalid_email": "Ce n’est pas une adresse e-mail.",
        "reset_title": "Choisissez un nouveau mot de passe",
        "reset_button": "Enregistrer le nouveau mot de passe",
        "reset_done": "Votre mot de passe est changé. Connectez-vous avec le nouveau.",
        "portal_title": "Mes réservations",
        "hello": "Bonjour {name}",
        "upcoming": "À venir",
        "past": "Passées",
        "no_upcoming": "Aucune réservation à venir.",
        "no_past": "Aucune réservation passée.",
        "cancel": "Annuler",
        "reschedule": "Déplacer à la même heure la semaine prochaine",
        "cancelled": "Annulée",
        "cancel_done": "Votre réservation est annulée.",
        "reschedule_done": "Votre réservation est déplacée au {date}.",
        "refused_title": "Ce n’est pas possible maintenant",
        "back_to_bookings": "Retour à mes réservations",
        "details_title": "Mes coordonnées",
        "first_name": "Prénom",
        "last_name": "Nom",
        "language": "Langue",
        "save": "Enregistrer",
        "details_saved": "Vos coordonnées sont enregistrées.",
        "unsubscribe_title": "Se désabonner",
        "unsubscribe_intro": "Ne plus recevoir d’invitations de {business} à {email} ?",
        "unsubscribe_button": "Me désabonner",
        "unsubscribed": "C’est fait : {business} ne vous enverra plus d’invitations.",
        "csrf_error": (
            "Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez."
        ),
        "not_found": "Cette page n’existe pas.",
        "please_log_in": "Connectez-vous pour voir vos réservations.",
        "signup_link": "Nouveau ? Créez un profil",
        "signup_title": "Créer un profil",
        "signup_intro": (
            "Créez un profil avec votre adresse e-mail pour voir et gérer vos réservations."
        ),
        "signup_button": "Créer mon profil",
        "signup_sent": (
            "Consultez votre boîte : nous vous avons envoyé un lien pour confirmer votre adresse."
        ),
        "verify_title": "Confirmez votre adresse e-mail",
        "verify_intro": "Confirmez {email} avec le mot de passe choisi lors de l’inscription.",
        "verify_button": "Confirmer",
        "verify_wrong_password": "Saisissez le mot de passe choisi lors de l’inscription.",
        "err_verify_expired": (
            "Ce lien a expiré. Inscrivez-vous à nouveau pour en recevoir un autre."
        ),
        "err_verify_superseded": (
            "{business} a créé un profil pour cette adresse depuis votre inscription. "
            "Nous y avons envoyé un nouveau lien : confirmez avec celui-ci."
        ),
    },
    "de": {
        "home_title": "Willkommen",
        "home_intro": "Buche deine Kurse bei {business}.",
        "login_not_offered": "Hier gibt es keine Kundenanmeldung: Buche am Empfang.",
        "login_offered": "Melde dich an, um deine Buchungen zu sehen.",
        "login_required": "Melde dich an, um einen Kurs zu buchen.",
        "login_satisfied": "Du bist angemeldet: Neue Buchungen gehen in dein Profil.",
        "my_bookings": "Meine Buchungen",
        "activate_title": "Profil aktivieren",
        "activate_intro": "Hallo {name}, wähle ein Passwort für {email}.",
        "activate_intro_anonymous": "Wähle ein Passwort für {email}.",
        "link_valid_until": "Dieser Link gilt bis {date}.",
        "password": "Passwort",
        "new_password": "Neues Passwort",
        "password_hint": "Mindestens {min} Zeichen. Alle Zeichen erlaubt, auch Leerzeichen.",
        "activate_button": "Mein Profil aktivieren",
        "activated": "Dein Profil ist aktiv. Willkommen!",
        "weak_password": (
            "Dieses Passwort geht nicht: Es braucht mindestens {min} Zeichen und darf weder"
            " dein Name noch deine E-Mail-Adresse noch ein sehr häufiges Passwort sein."
        ),
        "link_problem_title": "Dieser Link funktioniert nicht",
        "err_expired": "Dieser Link ist abgelaufen. Bitte {business}, dich erneut einzuladen.",
        "err_reset_expired": "Dieser Link ist abgelaufen. Fordere unten einen neuen an.",
        "err_used": ("Dein Profil ist bereits aktiviert. Melde dich mit E-Mail und Passwort an."),
        "err_reset_used": "Dieser Link wurde schon benutzt oder durch einen neueren ersetzt.",
        "err_test": (
            "Dieser Link stammt aus einer Testeinladung und aktiviert nichts."
            " Deine Kundinnen und Kunden sehen hier die Aktivierungsseite."
        ),
        "err_archived": "Dieses Profil ist nicht mehr aktiv. Bitte wende dich an {business}.",
        "err_invalid": (
            "Dieser Link ist ungültig. Prüfe, ob du den ganzen Link aus der E-Mail geöffnet hast."
        ),
        "login_title": "Anmelden",
        "email": "E-Mail-Adresse",
        "login_button": "Anmelden",
        "login_failed": "E-Mail-Adresse oder Passwort stimmen nicht.",
        "login_throttled": "Zu viele Fehlversuche. Bitte versuche es später erneut.",
        "logout": "Abmelden",
        "logged_out": "Du bist abgemeldet.",
        "forgot_link": "Passwort vergessen?",
        "forgot_title": "Passwort vergessen?",
        "forgot_intro": "Gib deine E-Mail-Adresse ein, dann schicken wir dir einen Link.",
        "forgot_button": "Link senden",
        "forgot_sent": "Wenn diese Adresse zu einem Profil gehört, ist eine E-Mail unterwegs.",
        "invalid_email": "Das ist keine E-Mail-Adresse.",
        "reset_title": "Neues Passwort wählen",
        "reset_button": "Neues Passwort speichern",
        "reset_done": "Dein Passwort ist geändert. Melde dich mit dem neuen an.",
        "portal_title": "Meine Buchungen",
        "hello": "Hallo {name}",
        "upcoming": "Bevorstehend",
        "past": "Vergangen",
        "no_upcoming": "Keine bevorstehenden Buchungen.",
        "no_past": "Keine vergangenen Buchungen.",
        "cancel": "Stornieren",
        "reschedule": "Auf dieselbe Zeit nächste Woche verschieben",
        "cancelled": "Storniert",
        "cancel_done": "Deine Buchung ist storniert.",
        "reschedule_done": "Deine Buchung ist verschoben auf {date}.",
        "refused_title": "Das geht jetzt nicht",
        "back_to_bookings": "Zurück zu meinen Buchungen",
        "details_title": "Meine Daten",
        "first_name": "Vorname",
        "last_name": "Nachname",
        "language": "Sprache",
        "save": "Speichern",
        "details_saved": "Deine Daten sind gespeichert.",
        "unsubscribe_title": "Keine Einladungen mehr erhalten",
        "unsubscribe_intro": "Keine Einladungen von {business} mehr an {email} senden?",
        "unsubscribe_button": "Keine Einladungen mehr erhalten",
        "unsubscribed": "Erledigt: {business} schickt dir keine Einladungen mehr.",
        "csrf_error": (
            "Dieses Formular ist abgelaufen. Lade die Seite neu und versuche es noch einmal."
        ),
        "not_found": "Diese Seite gibt es nicht.",
        "please_log_in": "Bitte melde dich an, um deine Buchungen zu sehen.",
        "signup_link": "Neu hier? Profil anlegen",
        "signup_title": "Profil anlegen",
        "signup_intro": (
            "Leg mit deiner E-Mail-Adresse ein Profil an, um deine Buchungen zu verwalten."
        ),
        "signup_button": "Mein Profil anlegen",
        "signup_sent": (
            "Sieh in dein Postfach: Wir haben dir einen Link zur Bestätigung geschickt."
        ),
        "verify_title": "E-Mail-Adresse bestätigen",
        "verify_intro": (
            "Bestätige {email} mit dem Passwort, das du bei der Registrierung gewählt hast."
        ),
        "verify_button": "Bestätigen",
        "verify_wrong_password": (
            "Gib das Passwort ein, das du bei der Registrierung gewählt hast."
        ),
        "err_verify_expired": (
            "Dieser Link ist abgelaufen. Registriere dich erneut, um einen neuen zu erhalten."
        ),
        "err_verify_superseded": (
            "{business} hat seit deiner Registrierung ein Profil für diese Adresse angelegt. "
            "Wir haben einen neuen Link dorthin geschickt: Bestätige mit diesem."
        ),
    },
}


def choose_locale(preferred: Iterable[str | None], *, default: str) -> Locale:
    """The locale for a customer page: the first of ``preferred`` the pages are written in.

    ``preferred`` is the customer's stored locale (when known) followed by the
    browser's ``Accept-Language`` choices; the business default comes last.
    ``de_AT`` keeps its territory (dates are formatted for Austria) while the
    texts come from ``de``.
    """
    return negotiate_locale(preferred, default=default)


def text(locale: Locale, key: str, **values: object) -> str:
    """The text ``key`` in ``locale``'s language (English when missing), filled with ``values``."""
    catalog = TEXTS.get(locale.language, TEXTS["en"])
    return catalog.get(key, TEXTS["en"][key]).format(**values)

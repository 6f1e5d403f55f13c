"""The texts of "Sign in with a provider" in the example app, in four languages.

Merged into :data:`examples.webapp.texts.TEXTS` (and the formal variants into
:data:`examples.webapp.formal_texts.FORMAL_TEXTS`), as the campaign texts are.
"""

from __future__ import annotations

__all__ = ["PROVIDER_FORMAL_TEXTS", "PROVIDER_TEXTS"]

PROVIDER_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "provider_methods_title": "Ways to sign in",
        "provider_linked": "{provider}: linked",
        "provider_unlink": "Unlink",
        "provider_unlinked": "{provider} is no longer linked to your profile.",
        "provider_last_way_in": "{provider} is your only way to sign in, so it stays linked.",
        "provider_button": "Sign in with {provider}",
        "provider_or": "or",
        "provider_unverified_title": "Address not confirmed",
        "provider_unverified": (
            "{provider} has not confirmed that {email} is your address, so it cannot"
            " sign you in to a profile here."
        ),
        "provider_signup_offer": (
            "Sign up with this address instead: we will email you a link to confirm it."
        ),
        "provider_signup_button": "Sign up with {email}",
        "provider_archived": "This profile is no longer active. Please contact {business}.",
        "provider_signup_disabled": (
            "No profile has the address {email}, and {business} takes no sign-ups online."
            " Please contact {business}."
        ),
        "provider_failed": "The sign-in with {provider} did not complete. Please try again.",
        "event_provider_linked": "sign-in provider linked",
        "event_provider_unlinked": "sign-in provider unlinked",
        "event_provider_signed_in": "signed in with a provider",
    },
    "es": {
        "provider_methods_title": "Formas de iniciar sesión",
        "provider_linked": "{provider}: vinculado",
        "provider_unlink": "Desvincular",
        "provider_unlinked": "{provider} ya no está vinculado a tu perfil.",
        "provider_last_way_in": (
            "{provider} es tu única forma de iniciar sesión, así que sigue vinculado."
        ),
        "provider_button": "Iniciar sesión con {provider}",
        "provider_or": "o",
        "provider_unverified_title": "Dirección sin confirmar",
        "provider_unverified": (
            "{provider} no ha confirmado que {email} sea tu dirección, así que no puede"
            " abrir un perfil aquí."
        ),
        "provider_signup_offer": (
            "Regístrate con esta dirección: te enviaremos un enlace para confirmarla."
        ),
        "provider_signup_button": "Registrarme con {email}",
        "provider_archived": "Este perfil ya no está activo. Ponte en contacto con {business}.",
        "provider_signup_disabled": (
            "Ningún perfil tiene la dirección {email} y {business} no admite registros"
            " en línea. Ponte en contacto con {business}."
        ),
        "provider_failed": (
            "El inicio de sesión con {provider} no se completó. Inténtalo de nuevo."
        ),
        "event_provider_linked": "proveedor de acceso vinculado",
        "event_provider_unlinked": "proveedor de acceso desvinculado",
        "event_provider_signed_in": "acceso con un proveedor",
    },
    "fr": {
        "provider_methods_title": "Moyens de connexion",
        "provider_linked": "{provider} : associé",
        "provider_unlink": "Dissocier",
        "provider_unlinked": "{provider} n’est plus associé à votre profil.",
        "provider_last_way_in": (
            "{provider} est votre seul moyen de connexion : il reste donc associé."
        ),
        "provider_button": "Se connecter avec {provider}",
        "provider_or": "ou",
        "provider_unverified_title": "Adresse non confirmée",
        "provider_unverified": (
            "{provider} n’a pas confirmé que {email} est votre adresse : il ne peut donc"
            " pas vous connecter à un profil ici."
        ),
        "provider_signup_offer": (
            "Inscrivez-vous plutôt avec cette adresse : nous vous enverrons un lien"
            " pour la confirmer."
        ),
        "provider_signup_button": "M’inscrire avec {email}",
        "provider_archived": "Ce profil n’est plus actif. Veuillez contacter {business}.",
        "provider_signup_disabled": (
            "Aucun profil n’a l’adresse {email}, et {business} n’accepte pas les"
            " inscriptions en ligne. Veuillez contacter {business}."
        ),
        "provider_failed": ("La connexion avec {provider} n’a pas abouti. Veuillez réessayer."),
        "event_provider_linked": "fournisseur de connexion associé",
        "event_provider_unlinked": "fournisseur de connexion dissocié",
        "event_provider_signed_in": "connexion via un fournisseur",
    },
    "de": {
        "provider_methods_title": "Anmeldemöglichkeiten",
        "provider_linked": "{provider}: verknüpft",
        "provider_unlink": "Trennen",
        "provider_unlinked": "{provider} ist nicht mehr mit deinem Profil verknüpft.",
        "provider_last_way_in": (
            "{provider} ist deine einzige Anmeldemöglichkeit und bleibt darum verknüpft."
        ),
        "provider_button": "Mit {provider} anmelden",
        "provider_or": "oder",
        "provider_unverified_title": "Adresse nicht bestätigt",
        "provider_unverified": (
            "{provider} hat nicht bestätigt, dass {email} deine Adresse ist. Darum kann"
            " es dich hier bei keinem Profil anmelden."
        ),
        "provider_signup_offer": (
            "Registriere dich stattdessen mit dieser Adresse: Wir schicken dir einen Link,"
            " um sie zu bestätigen."
        ),
        "provider_signup_button": "Mit {email} registrieren",
        "provider_archived": "Dieses Profil ist nicht mehr aktiv. Wende dich an {business}.",
        "provider_signup_disabled": (
            "Kein Profil hat die Adresse {email}, und {business} nimmt keine"
            " Online-Registrierungen an. Wende dich an {business}."
        ),
        "provider_failed": (
            "Die Anmeldung mit {provider} wurde nicht abgeschlossen. Versuche es noch einmal."
        ),
        "event_provider_linked": "Anmeldedienst verknüpft",
        "event_provider_unlinked": "Anmeldedienst getrennt",
        "event_provider_signed_in": "über einen Anmeldedienst angemeldet",
    },
}

PROVIDER_FORMAL_TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "provider_unlinked": "{provider} ya no está vinculado a su perfil.",
        "provider_last_way_in": (
            "{provider} es su única forma de iniciar sesión, así que sigue vinculado."
        ),
        "provider_unverified": (
            "{provider} no ha confirmado que {email} sea su dirección, así que no puede"
            " abrir un perfil aquí."
        ),
        "provider_signup_offer": (
            "Regístrese con esta dirección: le enviaremos un enlace para confirmarla."
        ),
        "provider_archived": (
            "Este perfil ya no está activo. Póngase en contacto con {business}."
        ),
        "provider_signup_disabled": (
            "Ningún perfil tiene la dirección {email} y {business} no admite registros"
            " en línea. Póngase en contacto con {business}."
        ),
        "provider_failed": (
            "El inicio de sesión con {provider} no se completó. Inténtelo de nuevo."
        ),
    },
    "de": {
        "provider_unlinked": "{provider} ist nicht mehr mit Ihrem Profil verknüpft.",
        "provider_last_way_in": (
            "{provider} ist Ihre einzige Anmeldemöglichkeit und bleibt darum verknüpft."
        ),
        "provider_unverified": (
            "{provider} hat nicht bestätigt, dass {email} Ihre Adresse ist. Darum kann"
            " es Sie hier bei keinem Profil anmelden."
        ),
        "provider_signup_offer": (
            "Registrieren Sie sich stattdessen mit dieser Adresse: Wir schicken Ihnen"
            " einen Link, um sie zu bestätigen."
        ),
        "provider_archived": (
            "Dieses Profil ist nicht mehr aktiv. Wenden Sie sich an {business}."
        ),
        "provider_signup_disabled": (
            "Kein Profil hat die Adresse {email}, und {business} nimmt keine"
            " Online-Registrierungen an. Wenden Sie sich an {business}."
        ),
        "provider_failed": (
            "Die Anmeldung mit {provider} wurde nicht abgeschlossen. Versuchen Sie es noch einmal."
        ),
    },
}

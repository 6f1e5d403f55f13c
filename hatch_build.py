"""Hatch build hook: compile the translation catalogs (``.po`` -> ``.mo``) into the wheel.

The ``.po`` sources live in the repository; the compiled ``.mo`` files are not
committed (see ``.gitignore``).  Building a wheel compiles each catalog with
Babel into a temporary folder and adds the result beside its source in the
wheel.  Editable installs skip this: :mod:`invitekit.i18n` compiles missing
catalogs in memory.  ``python -m invitekit.i18n compile`` does the same by hand.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALES = Path("src") / "invitekit" / "locales"


class CatalogBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compiles every ``locales/<lang>/LC_MESSAGES/*.po`` into the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        self._out = Path(tempfile.mkdtemp(prefix="invitekit-mo-"))
        root = Path(self.root)
        for source in sorted((root / LOCALES).glob("*/LC_MESSAGES/*.po")):
            relative = source.relative_to(root / "src").with_suffix(".mo")
            target = self._out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with source.open("rb") as fp:
                catalog = read_po(fp, locale=source.parent.parent.name, domain=source.stem)
            with target.open("wb") as fp:
                write_mo(fp, catalog, use_fuzzy=False)
            build_data["force_include"][str(target)] = relative.as_posix()

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)

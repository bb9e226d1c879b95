"""FHIR References inside one document: contained `#id`, `urn:uuid:` fullUrls, `Type/id`, URLs.

An `Index` holds every resource of a document (a Bundle, NDJSON files, a CDS Hooks request) so
that converters can follow `subject`, `medicationReference`, `encounter` and `hasMember` to the
resource they name. A reference that does not resolve is reported by the converter that needed
it (or, for a patient, by the reader that groups records under patients).
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def reference_text(reference: Any) -> str | None:
    """The `reference` string of a FHIR Reference, or None."""
    if isinstance(reference, dict) and reference.get("reference"):
        return str(reference["reference"])
    return None


def reference_key(text: str) -> str | None:
    """'Type/id' from a relative or absolute reference (a `_history/n` suffix dropped)."""
    parts = text.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    if len(parts) >= 2 and parts[-2][:1].isupper():
        return f"{parts[-2]}/{parts[-1]}"
    return None


class Index:
    """The resources of one document by fullUrl and by 'Type/id', and panel memberships."""

    def __init__(self) -> None:
        self._by_url: dict[str, Json] = {}
        self._by_key: dict[str, Json] = {}
        self._panels: list[Json] = []
        self._groups: dict[int, str] = {}

    def add(self, resource: Any, full_url: Any = None) -> None:
        """Index one resource (anything that is not a resource is ignored)."""
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            return
        if isinstance(full_url, str) and full_url:
            self._by_url.setdefault(full_url, resource)
        if resource.get("id") is not None:
            self._by_key.setdefault(f"{resource['resourceType']}/{resource['id']}", resource)
        if resource["resourceType"] == "Observation" and resource.get("hasMember"):
            self._panels.append(resource)

    def finish(self) -> Index:
        """Resolve panel memberships (`hasMember`) once every resource is indexed."""
        for panel in self._panels:
            members = panel["hasMember"] if isinstance(panel["hasMember"], list) else []
            for member in members:
                found = self.resolve(member, panel)
                if found is not None and panel.get("id") is not None:
                    self._groups.setdefault(id(found), str(panel["id"]))
        return self

    def resolve(self, reference: Any, holder: Json | None = None) -> Json | None:
        """The resource a Reference names: contained in `holder` ('#id'), by fullUrl, else by
        'Type/id' (relative, or the tail of an absolute URL); None when not in the document."""
        text = reference_text(reference)
        if text is None:
            return None
        if text.startswith("#"):
            for item in (holder or {}).get("contained") or []:
                if isinstance(item, dict) and str(item.get("id")) == text[1:]:
                    return item
            return None
        if text in self._by_url:
            return self._by_url[text]
        key = reference_key(text)
        return self._by_key.get(key) if key is not None else None

    def patient_id(self, text: str) -> str:
        """The id of the Patient a subject reference names: the indexed Patient's id when the
        reference resolves (a `urn:uuid:` fullUrl), else the id in the reference itself."""
        found = self.resolve({"reference": text})
        if found is not None and found.get("resourceType") == "Patient" and found.get("id"):
            return str(found["id"])
        return text

    def group_of(self, resource: Json) -> str | None:
        """The id of the panel whose `hasMember` names this resource, if any."""
        return self._groups.get(id(resource))

    def encounter_class(self, resource: Json) -> str | None:
        """`Encounter.class.code` of the resource's `encounter` (None when not in the document)."""
        found = self.resolve(resource.get("encounter"), resource)
        if found is None or found.get("resourceType") != "Encounter":
            return None
        klass = found.get("class")
        if isinstance(klass, list):  # R5 shape: a list of CodeableConcepts
            klass = ((klass[0] or {}).get("coding") or [{}])[0] if klass else None
        code = klass.get("code") if isinstance(klass, dict) else None
        return str(code) if code else None

#!/usr/bin/env python3
"""Reads a FHIR R4 Bundle written by `woundmeasure timeline --fhir` with fhir.resources.

Usage: check_fhir.py BUNDLE.json

Parses the whole Bundle with the R4 (4.0.1) models of fhir.resources 6.4.0, which
validate every element's type, cardinality and value set bindings of required
strength (status codes), then checks what the issue asks of each Observation. Prints
one JSON line per Observation (id, status, effective time, area, length, width and
the photo SHA-256 of the Media it derives from) for the calling test to compare with
the timeline. Exits 1 with the reason on the first problem.
"""
import json
import sys

import fhir.resources
from fhir.resources.bundle import Bundle


# R4 value sets of required binding strength that fhir.resources lists only in part ('+').
OBSERVATION_STATUS = {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                      "entered-in-error", "unknown"}
EVENT_STATUS = {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
                "entered-in-error", "unknown"}


def check_codes(model, path):
    """Every coded element whose complete value set the models list holds one of its codes."""
    for name, field in model.__fields__.items():
        value = getattr(model, name, None)
        if value is None:
            continue
        allowed = field.field_info.extra.get("enum_values")
        if allowed and "+" not in allowed and not isinstance(value, list) and value not in allowed:
            fail(f"{path}.{name} is {value!r}, not one of {allowed}")
        for item in value if isinstance(value, list) else [value]:
            if hasattr(item, "__fields__"):
                check_codes(item, f"{path}.{name}")


def fail(message):
    print(f"FHIR check failed: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    if fhir.resources.__fhir_version__ != "4.0.1":
        fail(f"fhir.resources {fhir.resources.__version__} models FHIR {fhir.resources.__fhir_version__}, not R4 4.0.1")
    try:
        bundle = Bundle.parse_file(sys.argv[1])
    except Exception as error:  # pydantic's ValidationError lists every bad element
        fail(f"not a valid R4 Bundle: {error}")
    check_codes(bundle, "Bundle")
    if bundle.type != "collection":
        fail(f"Bundle.type is {bundle.type}, not collection")
    by_url = {entry.fullUrl: entry.resource for entry in bundle.entry or []}
    observations = [r for r in by_url.values() if r.resource_type == "Observation"]
    for media in (r for r in by_url.values() if r.resource_type == "Media"):
        if media.status not in EVENT_STATUS:
            fail(f"{media.id}: status {media.status!r} is not an R4 EventStatus")
    for obs in observations:
        if obs.status not in OBSERVATION_STATUS:
            fail(f"{obs.id}: status {obs.status!r} is not an R4 ObservationStatus")
        codes = [(c.system, c.code) for c in obs.code.coding]
        if ("http://loinc.org", "72287-6") not in codes:
            fail(f"{obs.id}: code is {codes}, not LOINC 72287-6")
        if obs.subject is None or obs.subject.identifier is None or not obs.subject.identifier.value:
            fail(f"{obs.id}: the patient is not given by identifier")
        if obs.bodySite is None or not obs.bodySite.text:
            fail(f"{obs.id}: no body site text")
        if obs.effectiveDateTime is None:
            fail(f"{obs.id}: no effectiveDateTime")
        if obs.device is None or obs.method is None:
            fail(f"{obs.id}: no device or method")
        values = {}
        for component in obs.component or []:
            for coding in component.code.coding or []:
                if coding.system == "http://loinc.org":
                    q = component.valueQuantity
                    if q.system != "http://unitsofmeasure.org" or q.code != q.unit:
                        fail(f"{obs.id}: component {coding.code} is not in UCUM: {q.system} {q.code}")
                    values[coding.code] = (float(q.value), q.code)
        expected = {"89260-4": "cm2", "39126-8": "cm", "39125-0": "cm"}
        for code, unit in expected.items():
            if code not in values or values[code][1] != unit:
                fail(f"{obs.id}: component {code} in {unit} missing (has {values})")
        media = [by_url.get(ref.reference) for ref in obs.derivedFrom or []]
        media = [m for m in media if m is not None and m.resource_type == "Media"]
        if len(media) != 1:
            fail(f"{obs.id}: derives from {len(media)} Media resources in the Bundle, not 1")
        sha = [i.value for i in media[0].identifier or [] if i.system == "urn:woundmeasure:photo-sha256"]
        if len(sha) != 1 or len(sha[0]) != 64:
            fail(f"{obs.id}: its Media carries no photo SHA-256")
        print(json.dumps({
            "id": obs.id,
            "status": obs.status,
            "effective": obs.effectiveDateTime.isoformat(),
            "entryIds": [i.value for i in obs.identifier if i.use == "official"],
            "oldIds": [i.value for i in obs.identifier if i.use == "old"],
            "areaCm2": values["89260-4"][0],
            "lengthCm": values["39126-8"][0],
            "widthCm": values["39125-0"][0],
            "photoSha256": sha[0],
            "patient": obs.subject.identifier.value,
            "bodySite": obs.bodySite.text,
        }, sort_keys=True))


if __name__ == "__main__":
    main()

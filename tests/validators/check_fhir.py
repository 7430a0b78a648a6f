"""Validates a FHIR R4 Bundle written by `appt export --format fhir` with three
validators that appt did not write, and shows that each of them can fail:

1. fhir.resources 6.4.0 (pydantic 1), the R4 (4.0.1) model;
2. HL7's R4 JSON schema (fhir.schema.json), with jsonschema;
3. the R4 invariants of Bundle and Appointment, as FHIRPath, with fhirpathpy.

Usage: check_fhir.py BUNDLE.json SCHEMA.json
Prints {"ok": true, "entries": N} and exits 0, or prints the problems and exits 1.
"""

import copy
import json
import sys

import fhir.resources
import fhirpathpy
import jsonschema
from fhir.resources.bundle import Bundle

# fhir.resources 6.4.0 is the last release of the R4 line.
assert fhir.resources.__fhir_version__ == "4.0.1", fhir.resources.__fhir_version__

# The R4 invariants (http://hl7.org/fhir/R4/bundle.html, appointment.html),
# each with the path it applies to.
BUNDLE_INVARIANTS = {
    "bdl-1": "total.empty() or (type = 'searchset') or (type = 'history')",
    "bdl-2": "entry.search.empty() or (type = 'searchset')",
    "bdl-3": "entry.request.empty() or type = 'batch' or type = 'transaction' or type = 'history'",
    "bdl-4": "entry.response.empty() or type = 'batch-response' or type = 'transaction-response' or type = 'history'",
    "bdl-7": "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()",
}
ENTRY_INVARIANTS = {
    "bdl-5": "resource.exists() or request.exists() or response.exists()",
    "bdl-8": "fullUrl.contains('/_history/').not()",
}
APPOINTMENT_INVARIANTS = {
    "app-2": "start.exists() = end.exists()",
    "app-3": "(start.exists() and end.exists()) or (status in ('proposed' | 'cancelled' | 'waitlist'))",
    "app-4": "Appointment.cancelationReason.exists().not() or (Appointment.status='noshow' or Appointment.status='cancelled')",
}
PARTICIPANT_INVARIANTS = {
    "app-1": "type.exists() or actor.exists()",
}


def holds(resource, expression):
    result = fhirpathpy.evaluate(resource, expression)
    return result == [True]


def invariant_problems(bundle):
    problems = []
    for name, expr in BUNDLE_INVARIANTS.items():
        if not holds(bundle, expr):
            problems.append(f"{name} fails on the Bundle")
    full_urls = {e.get("fullUrl") for e in bundle.get("entry", [])}
    for i, entry in enumerate(bundle.get("entry", [])):
        for name, expr in ENTRY_INVARIANTS.items():
            if not holds(entry, expr):
                problems.append(f"{name} fails on entry {i}")
        resource = entry.get("resource", {})
        if resource.get("resourceType") != "Appointment":
            continue
        for name, expr in APPOINTMENT_INVARIANTS.items():
            if not holds(resource, expr):
                problems.append(f"{name} fails on entry {i} ({resource.get('id')})")
        for j, p in enumerate(resource.get("participant", [])):
            for name, expr in PARTICIPANT_INVARIANTS.items():
                if not holds(p, expr):
                    problems.append(f"{name} fails on entry {i} participant {j}")
            # Not an R4 invariant, but what a reader needs: references resolve
            # inside the Bundle.
            ref = p.get("actor", {}).get("reference")
            if ref not in full_urls:
                problems.append(f"entry {i} participant {j} refers to {ref}, not in the Bundle")
    return problems


def model_problems(bundle):
    try:
        Bundle.parse_obj(bundle)
        return []
    except Exception as e:  # pydantic.ValidationError and kin
        return [f"fhir.resources: {e}"]


def schema_problems(bundle, validator):
    return [
        f"schema: {e.message[:300]} at {list(e.absolute_path)}"
        for e in validator.iter_errors(bundle)
    ]


def check(bundle, validator):
    return model_problems(bundle) + schema_problems(bundle, validator) + invariant_problems(bundle)


def broken_copies(bundle):
    """Bundles each validator must refuse: a test that cannot fail is not a test."""
    if not any(e["resource"]["resourceType"] == "Appointment" for e in bundle.get("entry", [])):
        return []
    out = []

    def first(b):
        return [a for a in b["entry"] if a["resource"]["resourceType"] == "Appointment"][0]["resource"]

    b = copy.deepcopy(bundle)
    b["type"] = "pile"  # not a Bundle type
    out.append(("bad bundle type", b, "schema"))
    b = copy.deepcopy(bundle)
    first(b)["status"] = "scheduled"  # appt's word, not FHIR's
    out.append(("appt's own status word", b, "schema"))
    b = copy.deepcopy(bundle)
    first(b)["cancellationReason"] = {"text": "x"}  # FHIR spells it with one l
    out.append(("an element R4 does not have", b, "model+schema"))
    b = copy.deepcopy(bundle)
    first(b)["minutesDuration"] = "thirty"
    out.append(("a duration that is not a number", b, "model+schema"))
    b = copy.deepcopy(bundle)
    r = first(b)
    r["status"] = "booked"
    r["cancelationReason"] = {"text": "x"}
    out.append(("cancelationReason on a booked appointment", b, "app-4"))
    b = copy.deepcopy(bundle)
    del first(b)["end"]
    out.append(("start without end", b, "app-2"))
    b = copy.deepcopy(bundle)
    b["entry"].append(copy.deepcopy(b["entry"][0]))
    out.append(("a fullUrl twice", b, "bdl-7"))
    return out


def main():
    bundle_path, schema_path = sys.argv[1], sys.argv[2]
    with open(bundle_path, encoding="utf-8") as f:
        bundle = json.load(f)
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft6Validator(schema)
    problems = check(bundle, validator)
    for what, broken, by in broken_copies(bundle):
        found = []
        if "model" in by:
            found += model_problems(broken) or ["MISSED by fhir.resources"]
        if "schema" in by:
            found += schema_problems(broken, validator) or ["MISSED by the schema"]
        if by.startswith("app-") or by.startswith("bdl-"):
            inv = invariant_problems(broken)
            if not any(p.startswith(by) for p in inv):
                found.append(f"MISSED by {by}")
        problems += [f"validator self-check ({what}): {p}" for p in found if p.startswith("MISSED")]
    if problems:
        print(json.dumps({"ok": False, "problems": problems}, ensure_ascii=False, indent=1))
        sys.exit(1)
    print(json.dumps({"ok": True, "entries": len(bundle.get("entry", []))}))


if __name__ == "__main__":
    main()

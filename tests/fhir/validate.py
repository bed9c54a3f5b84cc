"""Validates trdcheck's FHIR export with the fhir.resources R4B models.

Usage: validate.py QUESTIONNAIRE.json BUNDLE.json
Checks that the Questionnaire and the Bundle (with its QuestionnaireResponse, Patient and
DetectedIssues) parse and validate, and that every answered item of the response is an item of
the Questionnaire. Prints a summary line; exits 1 on the first problem.
"""
import json
import sys

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse


def link_ids(items):
    for item in items or []:
        yield item["linkId"]
        yield from link_ids(item.get("item"))


def main(questionnaire_path, bundle_path):
    with open(questionnaire_path) as f:
        q_json = json.load(f)
    with open(bundle_path) as f:
        b_json = json.load(f)
    Questionnaire.model_validate(q_json)
    Bundle.model_validate(b_json)
    known = set(link_ids(q_json["item"]))
    kinds = {}
    responses = [e["resource"] for e in b_json["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    if len(responses) != 1:
        sys.exit(f"expected one QuestionnaireResponse, found {len(responses)}")
    QuestionnaireResponse.model_validate(responses[0])
    if not responses[0]["questionnaire"].startswith(q_json["url"] + "|"):
        sys.exit("the response does not point at the questionnaire")
    answered = list(link_ids(responses[0]["item"]))
    unknown = [l for l in answered if l not in known]
    if unknown:
        sys.exit(f"response items not in the questionnaire: {unknown}")
    for e in b_json["entry"]:
        kinds[e["resource"]["resourceType"]] = kinds.get(e["resource"]["resourceType"], 0) + 1
    print(f"valid: questionnaire with {len(known)} items; bundle {kinds}; {len(answered)} response items")


if __name__ == "__main__":
    main(*sys.argv[1:])

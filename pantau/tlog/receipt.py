"""A citizen's receipt file: the inclusion proofs of a complaint's events, as the
intake's `GET /requests/{id}/receipt.json` serves them:

    {"proof": "receipt", "service_request_id": "MJK-...",
     "proofs": [<an inclusion proof file with its "entry">, ...]}

The first proof is the event that recorded the complaint; later status steps follow,
each by its own event. The entries carry the complaint's text blinded; the citizen, who
holds the text and the salt their receipt gave them, can have their own leaf recomputed
from both (`own`), which shows that what was recorded is what they wrote.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import msgspec
import orjson

from pantau.tlog.blinding import BLINDED_FIELDS, BLINDED_PREFIX
from pantau.tlog.keys import VerifierKey
from pantau.tlog.prooffile import Checked, InclusionProof, ProofFileError, check_proof_file


class ReceiptFile(msgspec.Struct, tag_field="proof", tag="receipt", forbid_unknown_fields=True):
    service_request_id: str
    proofs: list[InclusionProof]


def receipt_file(request_id: str, proofs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"proof": "receipt", "service_request_id": request_id, "proofs": list(proofs)}


def read_receipt(data: bytes) -> ReceiptFile | None:
    """The receipt in `data`, or None when it is another kind of proof file."""
    try:
        kind = msgspec.json.decode(data, type=dict[str, Any]).get("proof")
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    if kind != "receipt":
        return None
    try:
        return msgspec.json.decode(data, type=ReceiptFile)
    except msgspec.ValidationError as error:
        raise ProofFileError(str(error)) from None


def check_receipt(
    receipt: ReceiptFile,
    log_key: VerifierKey,
    witnesses: Sequence[VerifierKey] = (),
    own: tuple[bytes, str] | None = None,
) -> list[Checked]:
    """Check every proof of the receipt. With `own` (salt, text), the leaf of each event
    whose text is blinded is made again from the citizen's text and salt instead of
    taken from the entry: it verifies only if that is the text the log recorded."""
    if not receipt.proofs:
        raise ProofFileError("proofs: a receipt holds at least one proof")
    checked = []
    mine = 0
    for proof in receipt.proofs:
        if own is not None and _blinded(proof):
            proof, mine = _with_own_text(proof, *own), mine + 1
        checked.append(check_proof_file(msgspec.json.encode(proof), log_key, witnesses))
    if own is not None and not mine:
        raise ProofFileError("description: no event of this receipt has a blinded text")
    return checked


def _blinded(proof: InclusionProof) -> bool:
    entry = _entry(proof)
    return any(str(entry.get(f, "")).startswith(BLINDED_PREFIX) for f in BLINDED_FIELDS)


def _with_own_text(proof: InclusionProof, salt: bytes, text: str) -> InclusionProof:
    event = _entry(proof)
    for field in BLINDED_FIELDS:
        if str(event.get(field, "")).startswith(BLINDED_PREFIX):
            event[field] = text
    salted = base64.b64encode(salt).decode()
    return msgspec.structs.replace(proof, entry=None, event=event, salt=salted)


def _entry(proof: InclusionProof) -> dict[str, Any]:
    if proof.entry is None:
        return {}
    try:
        value = orjson.loads(proof.entry)
    except orjson.JSONDecodeError:
        return {}
    return value if type(value) is dict else {}

"""Every proof the log computes from its tiles verifies, and is the RFC's own; any change
to the leaf, its index, the proof or the roots makes it fail."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pantau.tlog.hashing import leaf_hash
from pantau.tlog.proofs import consistency_proof, inclusion_proof
from pantau.tlog.reader import TileReader
from pantau.tlog.store import MemoryStore
from pantau.tlog.verify import ProofError, verify_consistency, verify_inclusion
from pantau.tlog.writer import TreeWriter
from tests.unit.tlog import reference

MAX_SIZE = 700  # past two level-0 tiles, and partial tiles at two levels


@dataclass(frozen=True)
class Log:
    entries: list[bytes]
    roots: list[bytes]  # roots[n]: the root at size n
    store: MemoryStore


@cache
def log() -> Log:
    """One log grown to MAX_SIZE, the root kept at every size and the partial tiles of
    every size written, so any size's proofs can be read from its tiles."""
    entries = [b"complaint step %d" % i for i in range(MAX_SIZE)]
    store = MemoryStore()
    writer = TreeWriter(store)
    roots = [writer.root()]
    for entry in entries:
        writer.append(leaf_hash(entry))
        writer.write_partials()
        roots.append(writer.root())
    return Log(entries, roots, store)


def flipped(hash_: bytes, bit: int) -> bytes:
    return bytes([hash_[0] ^ (1 << bit % 8)]) + hash_[1:]


sizes = st.integers(min_value=1, max_value=MAX_SIZE)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_inclusion_proof_verifies_and_is_the_rfcs(data: st.DataObject) -> None:
    size = data.draw(sizes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    the = log()
    proof = inclusion_proof(TileReader(the.store, size), index, size)
    if size <= 64:  # the recursive reference is quadratic
        assert proof == reference.path(index, the.entries[:size])
    verify_inclusion(index, size, leaf_hash(the.entries[index]), proof, the.roots[size])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_consistency_proof_verifies_and_is_the_rfcs(data: st.DataObject) -> None:
    new = data.draw(sizes)
    old = data.draw(st.integers(min_value=0, max_value=new))
    the = log()
    proof = consistency_proof(TileReader(the.store, new), old, new)
    if 0 < old < new <= 64:
        assert proof == reference.proof(old, the.entries[:new])
    verify_consistency(old, new, the.roots[old], the.roots[new], proof)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_changed_leaf_index_proof_or_root_fails_inclusion(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=2, max_value=MAX_SIZE))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    the = log()
    leaf, root = leaf_hash(the.entries[index]), the.roots[size]
    proof = inclusion_proof(TileReader(the.store, size), index, size)
    at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    other = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index))
    tampered = {
        "changed leaf": (index, size, leaf_hash(the.entries[index] + b"!"), proof, root),
        "another leaf": (index, size, leaf_hash(the.entries[other]), proof, root),
        "another index": (other, size, leaf, proof, root),
        "flipped proof bit": (index, size, leaf, [*proof[:at], flipped(proof[at], bit),
                                                  *proof[at + 1 :]], root),
        "removed hash": (index, size, leaf, proof[:at] + proof[at + 1 :], root),
        "extra hash": (index, size, leaf, [*proof, root], root),
        "rewritten root": (index, size, leaf, proof, flipped(root, bit)),
        "older root": (index, size, leaf, proof, the.roots[size - 1]),
    }  # fmt: skip
    if len(proof) > 1:
        swapped = list(proof)
        swapped[at], swapped[(at + 1) % len(proof)] = swapped[(at + 1) % len(proof)], proof[at]
        assume(swapped != proof)
        tampered["reordered pair"] = (index, size, leaf, swapped, root)
    for name, args in tampered.items():
        with pytest.raises(ProofError):
            verify_inclusion(*args)
            pytest.fail(f"verified with {name}")


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_changed_proof_or_root_fails_consistency(data: st.DataObject) -> None:
    # Sizes are not varied here: the proof binds roots, and a checkpoint's signature binds
    # its size to its root (a proof from 1 to 4 leaves also leads to the root of 4 when
    # read as one from 1 to 3, the RFC's algorithm cannot tell).
    new = data.draw(st.integers(min_value=2, max_value=MAX_SIZE))
    old = data.draw(st.integers(min_value=1, max_value=new - 1))
    the = log()
    proof = consistency_proof(TileReader(the.store, new), old, new)
    old_root, new_root = the.roots[old], the.roots[new]
    at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    tampered = {
        "flipped proof bit": (old, new, old_root, new_root,
                              [*proof[:at], flipped(proof[at], bit), *proof[at + 1 :]]),
        "removed hash": (old, new, old_root, new_root, proof[:at] + proof[at + 1 :]),
        "extra hash": (old, new, old_root, new_root, [*proof, new_root]),
        "rewritten old root": (old, new, flipped(old_root, bit), new_root, proof),
        "rewritten new root": (old, new, old_root, flipped(new_root, bit), proof),
        "swapped roots": (old, new, new_root, old_root, proof),
        "no proof": (old, new, old_root, new_root, []),
    }  # fmt: skip
    for name, args in tampered.items():
        with pytest.raises(ProofError):
            verify_consistency(*args)
            pytest.fail(f"verified with {name}")


def test_a_removed_leaf_is_not_consistent_with_the_tree_that_had_it() -> None:
    # The log drops leaf 3 and re-grows: same size, other root; no proof ties them.
    the = log()
    rewritten = the.entries[:3] + the.entries[4:11]
    store = MemoryStore()
    writer = TreeWriter(store)
    writer.extend(leaf_hash(e) for e in rewritten)
    writer.write_partials()
    proof = consistency_proof(TileReader(store, 10), 5, 10)
    with pytest.raises(ProofError):
        verify_consistency(5, 10, the.roots[5], writer.root(), proof)
    with pytest.raises(ProofError, match="two different roots"):
        verify_consistency(10, 10, the.roots[10], writer.root(), [])


def test_sizes_that_cannot_be_are_refused() -> None:
    the = log()
    with pytest.raises(ProofError, match="not in a tree"):
        verify_inclusion(5, 5, leaf_hash(b"x"), [], the.roots[5])
    with pytest.raises(ProofError, match="cannot extend"):
        verify_consistency(6, 5, the.roots[6], the.roots[5], [])
    with pytest.raises(ProofError, match="32 bytes"):
        verify_inclusion(0, 2, leaf_hash(b"x"), [b"short"], the.roots[2])
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_proof(TileReader(the.store, 5), 5, 5)

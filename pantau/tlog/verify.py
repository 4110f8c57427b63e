"""Checking proofs (RFC 9162 §2.1.3.2 and §2.1.4.2): what an outsider runs with nothing
but a checkpoint they trust, a leaf hash and the proof's hashes."""

from __future__ import annotations

from pantau.tlog.hashing import HASH_SIZE, node_hash


class ProofError(ValueError):
    """The proof does not tie the leaf (or the old tree) to the root it claims."""


def _checked(hashes: list[bytes]) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofError(f"a proof's hashes are {HASH_SIZE} bytes each")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """The root that `proof` leads to from `leaf` at `index` in a tree of `size`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    _checked([leaf, *proof])
    position, last = index, size - 1
    value = leaf
    for sibling in proof:
        if last == 0:
            raise ProofError("the proof has more hashes than the tree has levels")
        if position & 1 or position == last:
            value = node_hash(sibling, value)
            if not position & 1:  # a right edge node: skip the levels it is passed up
                while position and not position & 1:
                    position >>= 1
                    last >>= 1
        else:
            value = node_hash(value, sibling)
        position >>= 1
        last >>= 1
    if last != 0:
        raise ProofError("the proof has fewer hashes than the tree has levels")
    return value


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> None:
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(f"leaf {index} is not in the tree of {size} leaves with this root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> None:
    """The tree of `new_size` with `new_root` extends the one of `old_size` with
    `old_root` (the empty tree is extended by any)."""
    _checked([old_root, new_root, *proof])
    if not 0 <= old_size <= new_size:
        raise ProofError(f"a tree of {new_size} leaves cannot extend one of {old_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("a tree is consistent with itself without a proof")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same size {new_size}")
        return
    if old_size == 0:
        if proof:
            raise ProofError("the empty tree is consistent with any tree without a proof")
        return
    if not proof:
        raise ProofError("a consistency proof between two sizes cannot be empty")
    # A power-of-two old tree is a node of the new one: its root starts the walk.
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else proof
    position, last = old_size - 1, new_size - 1
    while position & 1:
        position >>= 1
        last >>= 1
    old_value = new_value = path[0]
    for sibling in path[1:]:
        if last == 0:
            raise ProofError("the proof has more hashes than the trees have levels")
        if position & 1 or position == last:
            old_value = node_hash(sibling, old_value)
            new_value = node_hash(sibling, new_value)
            if not position & 1:
                while position and not position & 1:
                    position >>= 1
                    last >>= 1
        else:
            new_value = node_hash(new_value, sibling)
        position >>= 1
        last >>= 1
    if last != 0:
        raise ProofError("the proof has fewer hashes than the trees have levels")
    if old_value != old_root:
        raise ProofError(f"the proof does not lead to the old root (size {old_size})")
    if new_value != new_root:
        raise ProofError(f"the proof does not lead to the new root (size {new_size})")

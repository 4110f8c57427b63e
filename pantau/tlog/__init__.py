"""The verifiable log: an append-only RFC 6962 Merkle tree over every event, its tiles,
inclusion and consistency proofs, signed checkpoints and witnesses' cosignatures.

Pure and self-contained (no Kafka, no Redis, nothing of the contract's models), so the
checkpointer, the intake's receipts and an outsider's offline check share one copy.
"""

"""The local broker's TLS: a CA made for this stack and a server certificate it signs,
for 127.0.0.1 and localhost. Clients trust the CA (PANTAU_KAFKA_SSL_CAFILE); Kafka reads
the key and chain as one PEM keystore. Made once per state folder, then reused."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

VALID_FOR = datetime.timedelta(days=825)


@dataclass(frozen=True)
class BrokerTls:
    ca: Path  # what clients trust
    keystore: Path  # the broker's key and certificate chain, PEM


def ensure_broker_tls(
    folder: Path, host_names: tuple[str, ...] = ("localhost",), keystore_mode: int = 0o600
) -> BrokerTls:
    """`host_names` are the names clients dial (compose's broker is "kafka");
    `keystore_mode` opens the key to a broker that runs as another user."""
    folder.mkdir(parents=True, exist_ok=True)
    files = BrokerTls(folder / "ca.pem", folder / "broker-keystore.pem")
    if files.ca.exists() and files.keystore.exists():
        return files
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Pantau local CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    broker_key = ec.generate_private_key(ec.SECP256R1())
    broker = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host_names[0])]))
        .issuer_name(ca_name)
        .public_key(broker_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID_FOR)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    *(x509.DNSName(name) for name in host_names),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key = broker_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    files.keystore.write_bytes(key + broker.public_bytes(pem) + ca.public_bytes(pem))
    files.keystore.chmod(keystore_mode)
    files.ca.write_bytes(ca.public_bytes(pem))
    files.ca.chmod(0o644)
    return files

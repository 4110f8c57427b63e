"""How every role connects to Kafka, from the settings: plaintext on loopback, or SASL
(SCRAM) over TLS. kafka-python and aiokafka take the same keyword names; Faust takes a
credentials object that it turns into those names."""

from __future__ import annotations

import ssl
from typing import Any

from pantau.contract.settings import Settings


def kafka_ssl_context(settings: Settings) -> ssl.SSLContext:
    """Verifies the brokers' certificates and host names against the configured CA."""
    cafile = settings.kafka_ssl_cafile
    return ssl.create_default_context(cafile=str(cafile) if cafile is not None else None)


def kafka_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for a kafka-python or aiokafka client beside bootstrap_servers."""
    if settings.kafka_security == "plaintext":
        return {}
    if settings.kafka_sasl_password is None:
        raise ValueError("kafka_sasl_password: required when kafka_security is sasl_ssl")
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": settings.kafka_sasl_mechanism,
        "sasl_plain_username": settings.kafka_sasl_username,
        "sasl_plain_password": settings.kafka_sasl_password.get_secret_value(),
        "ssl_context": kafka_ssl_context(settings),
    }


def faust_credentials(settings: Settings) -> Any:
    """Faust's broker_credentials for the same connection, or None for plaintext."""
    if settings.kafka_security == "plaintext":
        return None
    import faust  # only the worker needs Faust

    options = kafka_options(settings)
    return faust.SASLCredentials(
        username=options["sasl_plain_username"],
        password=options["sasl_plain_password"],
        ssl_context=options["ssl_context"],
        mechanism=options["sasl_mechanism"],
    )

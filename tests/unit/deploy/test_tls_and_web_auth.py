"""The broker's certificates and the monitoring basic-auth file that compose's one-shots
write: checked with the same tools that will read them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import bcrypt
import yaml
from cryptography import x509

from deploy.stack.tls import ensure_broker_tls
from deploy.stack.web_auth import USER, write_web_auth


def test_the_broker_certificate_names_its_hosts_and_is_signed_by_the_ca(tmp_path: Path) -> None:
    files = ensure_broker_tls(tmp_path, ("kafka", "localhost"))
    chain = x509.load_pem_x509_certificates(files.keystore.read_bytes())
    broker, ca = chain[0], x509.load_pem_x509_certificate(files.ca.read_bytes())
    names = broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["kafka", "localhost"]
    broker.verify_directly_issued_by(ca)
    assert b"PRIVATE KEY" in files.keystore.read_bytes()
    assert oct(files.keystore.stat().st_mode & 0o777) == "0o600"
    again = ensure_broker_tls(tmp_path, ("kafka",))
    assert again.ca.read_bytes() == files.ca.read_bytes(), "made once, then reused"


def test_the_web_config_holds_a_bcrypt_hash_promtool_accepts(tmp_path: Path) -> None:
    config = write_web_auth(tmp_path, "a-monitoring-password")
    users = yaml.safe_load(config.read_text())["basic_auth_users"]
    assert "a-monitoring-password" not in config.read_text()
    assert bcrypt.checkpw(b"a-monitoring-password", users[USER].encode())
    checked = subprocess.run(
        ["promtool", "check", "web-config", str(config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

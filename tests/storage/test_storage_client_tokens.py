"""The credential store's memory of used CDS client token ids (replay refusal), on each backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from medlm.privacy.auth import AuthenticationError
from medlm.privacy.credentials import CredentialStore
from medlm.storage.tables.privacy import UsedClientToken


@pytest.fixture
def store(engine: sa.Engine) -> CredentialStore:
    return CredentialStore(engine)


def _ids(store: CredentialStore) -> set[tuple[str, str]]:
    with store.engine.connect() as conn:
        return {(r.issuer, r.jti) for r in conn.execute(sa.select(UsedClientToken))}


def test_the_same_issuer_and_jti_are_refused_the_second_time(store: CredentialStore) -> None:
    later = datetime.now(UTC) + timedelta(minutes=5)
    store.claim_client_token("https://ehr.a", "j-1", later)
    with pytest.raises(AuthenticationError, match="replay"):
        store.claim_client_token("https://ehr.a", "j-1", later)
    store.claim_client_token("https://ehr.b", "j-1", later)  # ids are per issuer
    assert _ids(store) == {("https://ehr.a", "j-1"), ("https://ehr.b", "j-1")}


def test_ids_of_expired_tokens_are_forgotten(store: CredentialStore) -> None:
    store.claim_client_token("https://ehr.a", "old", datetime.now(UTC) - timedelta(seconds=1))
    store.claim_client_token("https://ehr.a", "new", datetime.now(UTC) + timedelta(minutes=5))
    assert _ids(store) == {("https://ehr.a", "new")}

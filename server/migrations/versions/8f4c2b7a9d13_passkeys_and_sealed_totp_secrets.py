"""Passkeys (WebAuthn) as a second factor, their one-use challenges, and authenticator-app
secrets sealed at rest

Revision ID: 8f4c2b7a9d13
Revises: 7d3e9a1c5b20
Create Date: 2026-12-02 01:45:00

Every TOTP secret already stored is sealed with MFA_ENCRYPTION_KEY (or the development key
derived from SECRET_KEY) on the way up, and opened again on the way down: run it with the
server's own environment.
"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from server.services import sealed_secrets


# revision identifiers, used by Alembic.
revision = '8f4c2b7a9d13'
down_revision = '7d3e9a1c5b20'
branch_labels = None
depends_on = None

_users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))


def _rewrite_secrets(change):
    connection = op.get_bind()
    rows = connection.execute(sa.select(_users.c.id, _users.c.totp_secret)
                              .where(_users.c.totp_secret.is_not(None))).all()
    for user_id, value in rows:
        new = change(value)
        if new != value:
            connection.execute(sa.update(_users).where(_users.c.id == user_id).values(totp_secret=new))


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True)
    config = current_app.config
    _rewrite_secrets(lambda value: value if sealed_secrets.is_sealed(value) else sealed_secrets.seal(value, config))

    op.create_table(
        'passkey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('credential_id', sa.String(length=1400), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('sign_count', sa.BigInteger(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('transports', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('sign_count >= 0', name=op.f('ck_passkey_sign_count_not_negative')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_passkey_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey')),
        sa.UniqueConstraint('credential_id', name=op.f('uq_passkey_credential_id')),
    )
    op.create_index(op.f('ix_passkey_user_id'), 'passkey', ['user_id'], unique=False)
    op.create_table(
        'passkey_challenge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('challenge', sa.String(length=100), nullable=False),
        sa.Column('bound_to', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_passkey_challenge_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey_challenge')),
        sa.UniqueConstraint('challenge', name=op.f('uq_passkey_challenge_challenge')),
    )
    op.create_index(op.f('ix_passkey_challenge_user_id'), 'passkey_challenge', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_passkey_challenge_user_id'), table_name='passkey_challenge')
    op.drop_table('passkey_challenge')
    op.drop_index(op.f('ix_passkey_user_id'), table_name='passkey')
    op.drop_table('passkey')
    config = current_app.config
    _rewrite_secrets(lambda value: sealed_secrets.unseal(value, config) if sealed_secrets.is_sealed(value) else value)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True)

"""core tables

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('merchants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merchants')),
    sa.UniqueConstraint('email', name=op.f('uq_merchants_email'))
    )
    op.create_table('activity',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_activity_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('intents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_intents_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intents')),
    sa.UniqueConstraint('kind', 'key', name=op.f('uq_intents_kind_key'))
    )
    with op.batch_alter_table('intents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intents_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index('ix_intents_state_next', ['state', 'next_attempt_at'], unique=False)

    op.create_table('store_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('base_url', sa.String(length=500), nullable=False),
    sa.Column('credentials', sa.Text(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('weight_unit', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('poll_watermark', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_store_connections_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_connections'))
    )
    with op.batch_alter_table('store_connections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_connections_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('tiktok_shops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=5), nullable=False),
    sa.Column('shop_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('cipher', sa.String(length=200), nullable=False),
    sa.Column('tokens', sa.Text(), nullable=False),
    sa.Column('access_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refresh_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('default_warehouse_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_tiktok_shops_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiktok_shops')),
    sa.UniqueConstraint('merchant_id', 'shop_id', name=op.f('uq_tiktok_shops_merchant_id_shop_id'))
    )
    with op.batch_alter_table('tiktok_shops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tiktok_shops_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tiktok_shops_shop_id'), ['shop_id'], unique=False)

    op.create_table('webhook_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_webhook_events_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events')),
    sa.UniqueConstraint('source', 'connection_id', 'event_id', name=op.f('uq_webhook_events_source_connection_id_event_id'))
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_events_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('store_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('store_connection_id', sa.Integer(), nullable=False),
    sa.Column('tiktok_shop_id', sa.Integer(), nullable=False),
    sa.Column('exchange_rate', sa.String(length=40), nullable=True),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_store_feeds_merchant_id_merchants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_connection_id'], ['store_connections.id'], name=op.f('fk_store_feeds_store_connection_id_store_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tiktok_shop_id'], ['tiktok_shops.id'], name=op.f('fk_store_feeds_tiktok_shop_id_tiktok_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_feeds')),
    sa.UniqueConstraint('store_connection_id', 'tiktok_shop_id', name=op.f('uq_store_feeds_store_connection_id_tiktok_shop_id'))
    )
    with op.batch_alter_table('store_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_feeds_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('store_product_id', sa.String(length=64), nullable=False),
    sa.Column('store_variant_id', sa.String(length=64), nullable=False),
    sa.Column('seller_sku', sa.String(length=100), nullable=False),
    sa.Column('tiktok_product_id', sa.String(length=64), nullable=False),
    sa.Column('tiktok_sku_id', sa.String(length=64), nullable=True),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('last_price', sa.String(length=40), nullable=True),
    sa.Column('last_stock', sa.Integer(), nullable=True),
    sa.Column('last_pushed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['store_feeds.id'], name=op.f('fk_bindings_feed_id_store_feeds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_bindings_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bindings')),
    sa.UniqueConstraint('feed_id', 'store_variant_id', name=op.f('uq_bindings_feed_id_store_variant_id')),
    sa.UniqueConstraint('feed_id', 'tiktok_sku_id', name=op.f('uq_bindings_feed_id_tiktok_sku_id'))
    )
    with op.batch_alter_table('bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bindings_feed_id'), ['feed_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bindings_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bindings_seller_sku'), ['seller_sku'], unique=False)
        batch_op.create_index(batch_op.f('ix_bindings_store_product_id'), ['store_product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bindings_tiktok_product_id'), ['tiktok_product_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bindings_tiktok_product_id'))
        batch_op.drop_index(batch_op.f('ix_bindings_store_product_id'))
        batch_op.drop_index(batch_op.f('ix_bindings_seller_sku'))
        batch_op.drop_index(batch_op.f('ix_bindings_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_bindings_feed_id'))

    op.drop_table('bindings')
    with op.batch_alter_table('store_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_feeds_merchant_id'))

    op.drop_table('store_feeds')
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_events_merchant_id'))

    op.drop_table('webhook_events')
    with op.batch_alter_table('tiktok_shops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tiktok_shops_shop_id'))
        batch_op.drop_index(batch_op.f('ix_tiktok_shops_merchant_id'))

    op.drop_table('tiktok_shops')
    with op.batch_alter_table('store_connections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_connections_merchant_id'))

    op.drop_table('store_connections')
    with op.batch_alter_table('intents', schema=None) as batch_op:
        batch_op.drop_index('ix_intents_state_next')
        batch_op.drop_index(batch_op.f('ix_intents_merchant_id'))

    op.drop_table('intents')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_activity_at'))

    op.drop_table('activity')
    op.drop_table('merchants')


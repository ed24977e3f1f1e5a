"""listings orders accounts

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('tiktok_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=5), nullable=False),
    sa.Column('version', sa.String(length=5), nullable=False),
    sa.Column('category_id', sa.String(length=64), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('is_leaf', sa.Boolean(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiktok_categories')),
    sa.UniqueConstraint('region', 'version', 'category_id', name=op.f('uq_tiktok_categories_region_version_category_id'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_api_tokens_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('after_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('tiktok_shop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('tiktok_id', sa.String(length=64), nullable=False),
    sa.Column('tiktok_order_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=60), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('amount', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_after_sales_merchant_id_merchants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tiktok_shop_id'], ['tiktok_shops.id'], name=op.f('fk_after_sales_tiktok_shop_id_tiktok_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_after_sales')),
    sa.UniqueConstraint('tiktok_shop_id', 'kind', 'tiktok_id', name=op.f('uq_after_sales_tiktok_shop_id_kind_tiktok_id'))
    )
    with op.batch_alter_table('after_sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_after_sales_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_after_sales_tiktok_order_id'), ['tiktok_order_id'], unique=False)

    op.create_table('carrier_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('tiktok_shop_id', sa.Integer(), nullable=False),
    sa.Column('store_carrier', sa.String(length=200), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('provider_name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_carrier_mappings_merchant_id_merchants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tiktok_shop_id'], ['tiktok_shops.id'], name=op.f('fk_carrier_mappings_tiktok_shop_id_tiktok_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier_mappings')),
    sa.UniqueConstraint('tiktok_shop_id', 'store_carrier', name=op.f('uq_carrier_mappings_tiktok_shop_id_store_carrier'))
    )
    with op.batch_alter_table('carrier_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carrier_mappings_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('store_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('store_connection_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('skus', sa.Text(), nullable=False),
    sa.Column('category_ids', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_store_products_merchant_id_merchants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_connection_id'], ['store_connections.id'], name=op.f('fk_store_products_store_connection_id_store_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_store_products')),
    sa.UniqueConstraint('store_connection_id', 'product_id', name=op.f('uq_store_products_store_connection_id_product_id'))
    )
    with op.batch_alter_table('store_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_store_products_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('attribute_defaults',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('tiktok_category_id', sa.String(length=64), nullable=False),
    sa.Column('attribute_id', sa.String(length=64), nullable=False),
    sa.Column('attribute_name', sa.String(length=200), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['store_feeds.id'], name=op.f('fk_attribute_defaults_feed_id_store_feeds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_attribute_defaults_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attribute_defaults')),
    sa.UniqueConstraint('feed_id', 'tiktok_category_id', 'attribute_id', name=op.f('uq_attribute_defaults_feed_id_tiktok_category_id_attribute_id'))
    )
    with op.batch_alter_table('attribute_defaults', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attribute_defaults_feed_id'), ['feed_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attribute_defaults_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('category_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('store_ref', sa.String(length=64), nullable=False),
    sa.Column('tiktok_category_id', sa.String(length=64), nullable=False),
    sa.Column('tiktok_category_name', sa.String(length=300), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['store_feeds.id'], name=op.f('fk_category_mappings_feed_id_store_feeds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_category_mappings_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category_mappings')),
    sa.UniqueConstraint('feed_id', 'scope', 'store_ref', name=op.f('uq_category_mappings_feed_id_scope_store_ref'))
    )
    with op.batch_alter_table('category_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_category_mappings_feed_id'), ['feed_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_category_mappings_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('store_product_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('variant_ids', sa.JSON(), nullable=True),
    sa.Column('tiktok_product_id', sa.String(length=64), nullable=False),
    sa.Column('tiktok_category_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('tiktok_status', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('review_reasons', sa.JSON(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['store_feeds.id'], name=op.f('fk_listings_feed_id_store_feeds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_listings_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listings')),
    sa.UniqueConstraint('feed_id', 'store_product_id', name=op.f('uq_listings_feed_id_store_product_id'))
    )
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listings_feed_id'), ['feed_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_tiktok_product_id'), ['tiktok_product_id'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('tiktok_shop_id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=True),
    sa.Column('tiktok_order_id', sa.String(length=64), nullable=False),
    sa.Column('tiktok_status', sa.String(length=40), nullable=False),
    sa.Column('on_hold', sa.Boolean(), nullable=False),
    sa.Column('sync_state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('store_order_id', sa.String(length=64), nullable=False),
    sa.Column('store_order_number', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total', sa.String(length=40), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('fulfilment_state', sa.String(length=20), nullable=False),
    sa.Column('fulfilment_reason', sa.Text(), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tiktok_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_in_store_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['store_feeds.id'], name=op.f('fk_orders_feed_id_store_feeds'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_orders_merchant_id_merchants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tiktok_shop_id'], ['tiktok_shops.id'], name=op.f('fk_orders_tiktok_shop_id_tiktok_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('tiktok_shop_id', 'tiktok_order_id', name=op.f('uq_orders_tiktok_shop_id_tiktok_order_id'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_sync_state'), ['sync_state'], unique=False)

    op.create_table('sync_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('resume_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['feed_id'], ['store_feeds.id'], name=op.f('fk_sync_runs_feed_id_store_feeds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_sync_runs_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_runs'))
    )
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_runs_feed_id'), ['feed_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_runs_merchant_id'), ['merchant_id'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('store_fulfilment_id', sa.String(length=64), nullable=False),
    sa.Column('store_carrier', sa.String(length=200), nullable=False),
    sa.Column('tracking_number', sa.String(length=100), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('provider_name', sa.String(length=200), nullable=False),
    sa.Column('carrier_source', sa.String(length=20), nullable=False),
    sa.Column('package_id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_shipments_merchant_id_merchants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('order_id', 'store_fulfilment_id', name=op.f('uq_shipments_order_id_store_fulfilment_id'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_merchant_id'), ['merchant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_order_id'), ['order_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_order_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_merchant_id'))

    op.drop_table('shipments')
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_runs_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_sync_runs_feed_id'))

    op.drop_table('sync_runs')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_sync_state'))
        batch_op.drop_index(batch_op.f('ix_orders_merchant_id'))

    op.drop_table('orders')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listings_tiktok_product_id'))
        batch_op.drop_index(batch_op.f('ix_listings_status'))
        batch_op.drop_index(batch_op.f('ix_listings_run_id'))
        batch_op.drop_index(batch_op.f('ix_listings_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_listings_feed_id'))

    op.drop_table('listings')
    with op.batch_alter_table('category_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_category_mappings_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_category_mappings_feed_id'))

    op.drop_table('category_mappings')
    with op.batch_alter_table('attribute_defaults', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attribute_defaults_merchant_id'))
        batch_op.drop_index(batch_op.f('ix_attribute_defaults_feed_id'))

    op.drop_table('attribute_defaults')
    with op.batch_alter_table('store_products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_store_products_merchant_id'))

    op.drop_table('store_products')
    with op.batch_alter_table('carrier_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carrier_mappings_merchant_id'))

    op.drop_table('carrier_mappings')
    with op.batch_alter_table('after_sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_after_sales_tiktok_order_id'))
        batch_op.drop_index(batch_op.f('ix_after_sales_merchant_id'))

    op.drop_table('after_sales')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_merchant_id'))

    op.drop_table('api_tokens')
    op.drop_table('tiktok_categories')


-- Runs once, on the first start of an empty volume (docker-entrypoint-initdb.d): one database per
-- service on one server, the default names the services derive from DATABASE_URL.
CREATE DATABASE waybill_order;
CREATE DATABASE waybill_inventory;
CREATE DATABASE waybill_payment;
CREATE DATABASE waybill_logistics;
CREATE DATABASE waybill_channels;

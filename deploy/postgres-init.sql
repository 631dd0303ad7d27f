-- The audit log lives in its own database beside Temporal's.
CREATE DATABASE vouchflow OWNER temporal;

"""Where approved invoices become draft bills: the local ledger (default) or Xero."""

"""Activities every workflow uses: audit appends, decision proofs, notifications, email."""

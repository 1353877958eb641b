"""Evidence pages (UX screens 7-9), one module per part: the library, adding,
one item, sharing, the access log, and a review's requests and coverage.

Thin views over evidence.selectors and evidence.services: a foreign or missing
object is the same 404; a refusal is the 403 page with the service's reason;
invalid input goes back on the form with nothing written; every list, view,
download, share and unshare is audited by the services."""

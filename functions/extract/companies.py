"""Several companies: nkpipe extracts one company (its amounts are in that company's currency; the
facts, profit and KPI rows carry one `NK_ORG_ID`).

Without `allowed_company_ids` in the context Odoo answers for every company the user may see
(odoo/api.py `Environment.companies` falls back to all of the user's `company_ids`, and the
multi-company record rules follow it), so amounts in different currencies would be summed as one.
So an extraction stops with one clear error naming the companies when the API user may see more than
one, unless `ODOO_COMPANY_ID` names the one to extract: then every call carries
`allowed_company_ids=[that id]` (shared/odoo.py), and Odoo's record rules hide the other companies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.errors import ConfigError

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.odoo import OdooClient

USER_MODEL = "res.users"
COMPANY_MODEL = "res.company"


def user_companies(odoo: OdooClient) -> list[dict]:
    """The companies the API user may see (`res.users.company_ids`), id and name."""
    users = odoo.search_read_all(USER_MODEL, [("id", "=", odoo.uid)], ["id", "company_ids"], context={"active_test": False})
    ids = sorted({int(c) for user in users for c in user.get("company_ids") or []})
    if len(ids) <= 1:
        return [{"id": i} for i in ids]
    return odoo.search_read_all(COMPANY_MODEL, [("id", "in", ids)], ["id", "name"])


def check_companies(odoo: OdooClient, settings: Settings) -> None:
    """Raise ConfigError unless exactly one company's data will be read (asked once per connection)."""
    if getattr(odoo, "companies_checked", False):
        return
    companies = user_companies(odoo)
    ids = [c["id"] for c in companies]
    configured = getattr(settings, "odoo_company_id", None)
    if configured:
        if ids and configured not in ids:
            raise ConfigError(
                f"ODOO_COMPANY_ID={configured}: the Odoo user {odoo.login} may not see that company "
                f"(its companies: {', '.join(str(i) for i in ids)})"
            )
        odoo.companies_checked = True
        return
    if len(companies) > 1:
        named = ", ".join(f"{c['id']} {c.get('name') or ''}".strip() for c in companies)
        raise ConfigError(
            f"the Odoo user {odoo.login} may see {len(companies)} companies ({named}); their amounts would be "
            "summed as one (different currencies too): set ODOO_COMPANY_ID to the company to extract"
        )
    odoo.companies_checked = True

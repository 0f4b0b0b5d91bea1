"""Odoo-shaped server errors raised inside the simulator and serialised by the dispatcher."""

from __future__ import annotations


class OdooFault(Exception):
    """An exception as Odoo would serialise it: qualified class name, message, arguments, HTTP status on JSON-2."""

    def __init__(self, name: str, message: str, arguments: list | None = None, json2_status: int = 500):
        super().__init__(message)
        self.name = name
        self.message = message
        self.arguments = arguments if arguments is not None else [message]
        self.json2_status = json2_status

    def data(self) -> dict:
        debug = "Traceback (most recent call last):\n  (simulated)\n"
        if self.name != "odoo.exceptions.AccessDenied":
            debug += f"{self.name.split('.')[-1]}: {self.message}\n"
        else:
            debug = ""  # Odoo strips the traceback of AccessDenied
        return {
            "name": self.name,
            "debug": debug,
            "message": self.message,
            "arguments": list(self.arguments),
            "context": {},
        }


def access_denied() -> OdooFault:
    return OdooFault("odoo.exceptions.AccessDenied", "Access Denied", json2_status=401)


def value_error(message: str) -> OdooFault:
    # Odoo 19's JSON-2 maps exceptions that are not UserError/HTTPException to 500.
    return OdooFault("builtins.ValueError", message, json2_status=500)


def attribute_error(model: str, method: str) -> OdooFault:
    return OdooFault(
        "builtins.AttributeError",
        f"The method '{method}' does not exist on the model '{model}'",
        json2_status=404,
    )


def type_error(message: str) -> OdooFault:
    return OdooFault("builtins.TypeError", message, json2_status=422)


def access_error(message: str) -> OdooFault:
    return OdooFault("odoo.exceptions.AccessError", message, json2_status=403)

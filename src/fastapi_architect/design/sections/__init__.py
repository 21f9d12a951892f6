"""The sections of the architecture document of a spec, one module each; `document.py`
assembles them."""

"""The review rules, one module each; `rule.all_rules()` discovers them."""

"""Pages of official documents (văn bản đi, văn bản đến, the registers): thin views over the
services and selectors; a service's refusal is shown on the form that caused it."""

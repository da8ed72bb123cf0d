"""Document exchange between agencies and nodes (liên thông văn bản): edXML packages (QCVN
102:2016/BTTTT), store-and-forward outbox, exactly-once registration, status messages."""

"""Báo cáo: a superior agency requests a report (figures and/or a signed file) by a deadline from
the agencies below it; they submit through the exchange (QCVN 102:2016/BTTTT packages)."""

"""Official documents (văn bản): outgoing and incoming registers, approval, numbering, signing
(Decree 30/2020/NĐ-CP), directives down and reports up."""

//! Integration tests of `tntc-abi`: the JSON shapes against `wit/node.wit`.

mod wit_shapes;

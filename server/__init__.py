"""HTTP and command-line faces of Comity: they compose the layers below and add nothing to them."""

"""Pages of the tolerance room. Views are thin: a form, one selector or service, render or
redirect; refusals come back as messages naming the rule."""

"""Charts in the house style: one module per chart family; they draw frames computed elsewhere and compute nothing."""

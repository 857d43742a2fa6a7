// Hardness

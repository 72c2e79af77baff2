"""The lowest layer: helpers that know nothing of assessments (text, files, fonts, names,
client addresses). Everything else may use them; they use only Django and the standard
library."""

"""Form widgets shared by every form of the portal."""

from django import forms

# The browser's date picker; the value in ISO form, which every browser reads.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

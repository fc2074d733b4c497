"""Every URL pattern of the portal, walked from the root resolver, so that the access tests
cover each new page without anyone remembering to add it."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def all_url_patterns() -> list[tuple[str, list[str]]]:
    """(namespaced name, [kwarg names]) for every named pattern."""
    found = []

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if namespace and pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, list(pattern.pattern.converters)))

    walk(get_resolver().url_patterns, None)
    return found

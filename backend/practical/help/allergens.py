"""The allergen rule for dishes brought to a family.

Decision:

* **Refuse** a claim whose dish *declares* (``contains_allergens``) an allergen the household
  lists in ``Circle.allergies``: 400, naming the allergen ("This household is allergic to
  peanuts — please choose a dish without them"). A warning would be clicked away by a tired
  volunteer, and the cost of that mistake is a child's health; choosing another dish costs a
  minute.
* **Warn** (never refuse) when the dish *name* mentions a word for one of the household's
  allergens ("peanut noodles", "tarta de queso"). Word matching is a guess — "coconut" is not a
  tree nut for most allergists, "butter chicken" may be made dairy-free — so it only prompts the
  volunteer to check and to declare what the dish contains.

The word lists are small, English and Spanish, matched at word starts after folding case and
accents; they catch the common cases, not every recipe. The household's free-text
``allergies_other`` ("strawberries, kiwi") is matched the same way, word by word, and can only
warn: free text cannot be declared against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from practical.models import Allergen

# Lower-case, accent-free stems; a dish word matches when it starts with one of them
# ("peanut" matches "peanuts", "cacahuete" matches "cacahuetes").
ALLERGEN_WORDS: dict[str, tuple[str, ...]] = {
    Allergen.MILK: (
        "milk", "cheese", "cream", "butter", "yogurt", "yoghurt", "dairy", "lasagna", "lasagne",
        "alfredo", "mac and cheese", "queso", "leche", "crema", "mantequilla", "yogur", "nata",
    ),
    Allergen.EGGS: ("egg", "omelet", "omelette", "quiche", "mayo", "mayonnaise", "frittata",
                    "huevo", "tortilla de patata", "mayonesa"),
    Allergen.FISH: ("fish", "salmon", "tuna", "cod", "tilapia", "anchov", "sardine",
                    "pescado", "salmon", "atun", "bacalao", "anchoa"),
    Allergen.SHELLFISH: ("shrimp", "prawn", "crab", "lobster", "shellfish", "gamba", "camaron",
                         "cangrejo", "langosta", "marisco", "paella"),
    Allergen.TREE_NUTS: ("almond", "walnut", "cashew", "pecan", "pistachio", "hazelnut", "pesto",
                         "almendra", "nuez", "nueces", "anacardo", "pistacho", "avellana"),
    Allergen.PEANUTS: ("peanut", "satay", "cacahuete", "cacahuate", "mani"),
    Allergen.WHEAT: ("wheat", "bread", "pasta", "noodle", "lasagna", "lasagne", "pizza", "flour",
                     "couscous", "trigo", "pan", "fideo", "harina", "empanada"),
    Allergen.GLUTEN: ("gluten", "wheat", "bread", "pasta", "noodle", "lasagna", "lasagne", "pizza",
                      "barley", "rye", "couscous", "trigo", "pan", "fideo", "cebada", "centeno"),
    Allergen.SOY: ("soy", "tofu", "edamame", "tempeh", "miso", "soja"),
    Allergen.SESAME: ("sesame", "tahini", "hummus", "sesamo"),
    Allergen.MUSTARD: ("mustard", "mostaza"),
    Allergen.CELERY: ("celery", "celeriac", "apio"),
    Allergen.LUPIN: ("lupin", "altramuz", "altramuces"),
    Allergen.MOLLUSCS: ("mussel", "clam", "oyster", "squid", "octopus", "calamari", "scallop",
                        "mejillon", "almeja", "ostra", "calamar", "pulpo", "vieira"),
    Allergen.SULPHITES: ("wine", "vino", "sulphite", "sulfite"),
}  # fmt: skip


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _label(allergen: str) -> str:
    try:
        return str(Allergen(allergen).label).lower()
    except ValueError:
        return allergen.replace("_", " ")


# Words in ``allergies_other`` that describe rather than name a food.
_OTHER_STOPWORDS = {
    "allergy", "allergies", "allergic", "severe", "mild", "very", "with", "and", "also", "only",
    "alergia", "alergias", "alergico", "alergica", "muy", "tambien", "solo", "intolerance",
    "intolerant", "intolerancia", "food", "foods", "comida", "raw", "crudo", "cruda",
}  # fmt: skip


def declared_conflicts(*, household_allergies: Iterable[str], declared: Iterable[str]) -> list[str]:
    """The household's allergens that the dish declares it contains, in the household's order."""
    declared_set = set(declared)
    # Gluten and wheat overlap: a dish declaring wheat contains gluten, and the reverse is likely.
    if Allergen.WHEAT in declared_set:
        declared_set.add(Allergen.GLUTEN)
    return [allergen for allergen in household_allergies if allergen in declared_set]


def refusal_message(conflicts: list[str]) -> str:
    names = " and ".join(_label(a) for a in conflicts)
    them = "them" if len(conflicts) > 1 or conflicts[0].endswith("s") else "it"
    return f"This household is allergic to {names} — please choose a dish without {them}."


def dish_name_warnings(*, household_allergies: Iterable[str], dish: str) -> list[str]:
    """Warnings for allergen words in the dish name, one per household allergen that matches."""
    folded = _fold(dish)
    if not folded.strip():
        return []
    warnings = []
    for allergen in household_allergies:
        for word in ALLERGEN_WORDS.get(allergen, ()):
            if re.search(rf"\b{re.escape(word)}", folded):
                warnings.append(
                    f'"{dish}" sounds like it may contain {_label(allergen)}, and this household is '
                    f"allergic to {_label(allergen)}. Please check the recipe, or choose another dish."
                )
                break
    return warnings


def other_allergy_warnings(*, allergies_other: str, dish: str) -> list[str]:
    """A warning when the dish name shares a word with the household's free-text allergies."""
    folded_dish = _fold(dish)
    if not folded_dish.strip() or not allergies_other.strip():
        return []
    for word in re.findall(r"[a-z]{4,}", _fold(allergies_other)):
        if word in _OTHER_STOPWORDS:
            continue
        # A short stem so "strawberries" catches "strawberry" and "peaches" catches "peach".
        stem = word[: max(4, len(word) - 3)]
        if re.search(rf"\b{re.escape(stem)}", folded_dish):
            return [
                f'"{dish}" may contain something this household avoids ("{allergies_other}"). '
                "Please check the recipe, or choose another dish."
            ]
    return []

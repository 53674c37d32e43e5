/* codec.c — the one-byte weights of the related-stories index (see internal.h): a
 * logarithmic scale, because what matters in a cosine is the relative error of each weight,
 * and a story's weights span two or three orders of magnitude. Varints are inline in
 * internal.h (they sit in the index's hot loops). */
#include <math.h>

#include "internal.h"

uint8_t related_weight_encode(double w)
{
    if (!(w > 0)) return 0; /* also NaN */
    if (w >= 1) return 255;
    double steps = -log2(w) * RELATED_WEIGHT_STEPS; /* > 0 */
    if (steps >= 254) return 1;
    return (uint8_t)(255 - (int)lround(steps));
}

double related_weight_decode(uint8_t code)
{
    if (code == 0) return 0;
    return exp2(-(double)(255 - code) / RELATED_WEIGHT_STEPS);
}

#include <stdio.h>

#include "config.h"

int main(void)
{
    printf("popview %s\n", POPVIEW_VERSION);
    return 0;
}

package org.imagemanager.naming;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NaturalOrderTest {
    private static final NaturalOrder ORDER = NaturalOrder.INSTANCE;

    @ParameterizedTest(name = "{0} > {1}")
    @CsvSource({
            "1.10, 1.9",
            "20240422, 20240416",
            "0.6.3, 0.6.2",
            "1.4.1, 1.4.0",
            "1.4.0, 1.3.0",
            "2.0, 1.99",
            "10, 9",
            "1.0.1, 1.0",
            "v10, v9",
            "b, a",
            "99999999999999999999999, 99999999999999999999998",
    })
    void shouldOrderTheFirstAfterTheSecond(String newer, String older) {
        assertTrue(ORDER.compare(newer, older) > 0, newer + " should come after " + older);
        assertTrue(ORDER.compare(older, newer) < 0, older + " should come before " + newer);
    }

    @Test
    void shouldTreatEqualStringsAsEqual() {
        assertEquals(0, ORDER.compare("0.6.2", "0.6.2"));
    }

    @Test
    void shouldNotTreatDifferentlyWrittenNumbersAsEqual() {
        // "01" and "1" are the same number but different versions: the order must stay total and consistent.
        int forth = ORDER.compare("01", "1");
        int back = ORDER.compare("1", "01");

        assertTrue(forth != 0);
        assertEquals(-Integer.signum(forth), Integer.signum(back));
    }

    @Test
    void shouldSortVersionsLikeNatsort() {
        List<String> versions = new ArrayList<>(List.of("1.10", "1.2", "1.9", "1.1", "20240422", "1.10.1"));

        versions.sort(ORDER);

        assertEquals(List.of("1.1", "1.2", "1.9", "1.10", "1.10.1", "20240422"), versions);
    }
}

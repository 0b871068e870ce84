"""Physical constants used across the lab (plain floats; units in the names' comments).

Sources: WGS-84 / EGM-96 values as used by Vallado, *Fundamentals of Astrodynamics and
Applications*, 4th ed.; CODATA speed of light; IAU 2012 astronomical unit; solar constant
1361 W/m^2 (Kopp & Lean 2011).
"""

MU_EARTH = 398600.4418  # km^3 / s^2, Earth's gravitational parameter
R_EARTH = 6378.137  # km, Earth's equatorial radius (WGS-84)
J2 = 1.08262668e-3  # Earth's second zonal harmonic (dimensionless)
OMEGA_EARTH = 7.292115146706979e-5  # rad / s, Earth's sidereal rotation rate
C_LIGHT = 299792.458  # km / s, speed of light in vacuum
AU = 149597870.7  # km, astronomical unit
R_SUN = 695700.0  # km, nominal solar radius (IAU 2015)
SOLAR_CONSTANT = 1361.0  # W / m^2 at 1 AU
STEFAN_BOLTZMANN = 5.670374419e-8  # W / (m^2 K^4)
BOLTZMANN = 1.380649e-23  # J / K
SECONDS_PER_DAY = 86400.0
SIDEREAL_YEAR = 365.256363004 * SECONDS_PER_DAY  # s
TROPICAL_YEAR = 365.24219 * SECONDS_PER_DAY  # s, used for the sun-synchronous precession rate

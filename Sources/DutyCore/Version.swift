/// dutyd's version, in one place: `dutyd --version`, `dutyctl --version`, `status`, the ICS PRODID.
package let dutydVersion = "0.5.0"

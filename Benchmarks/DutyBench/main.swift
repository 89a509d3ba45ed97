print("dutyctl")

# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the Atlas simulator with its simulated clock in the Date header of its answers.

    python atlas_clock_simulator.py PATH/TO/atlas_simulator.py [simulator options]

Atlas's Date is Atlas's own clock, and the modules judge secret expiry by it. The simulator moves the clock of
its data (POST /__sim/clock) but sends the real time as Date; here Date follows the simulated clock, so that
aging the clock ages the secrets as the modules see them.
"""

from __future__ import annotations

import email.utils
import importlib.util
import sys


def main():
    spec = importlib.util.spec_from_file_location("atlas_simulator", sys.argv[1])
    simulator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(simulator)
    handler = simulator.SimRequestHandler
    real = handler.date_time_string

    def date_time_string(self, timestamp=None):
        if timestamp is not None:
            return real(self, timestamp)
        return email.utils.format_datetime(self.server.state.now(), usegmt=True)

    handler.date_time_string = date_time_string
    return simulator.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
